// A bounded heap keeping the k best (score, id) pairs: higher score first, ties to the lower id.
// Memory is O(k) whatever the number of candidates, so ranking a catalogue or a similarity row
// never sorts the whole thing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace recwasm {

class TopK {
 public:
  // Reserve for common k only: callers may pass any k a user asked for (up to INT_MAX), and the
  // heap never holds more entries than candidates are pushed.
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(std::min<std::size_t>(k, 1024)); }

  /// True when (score, id) ranks before (otherScore, otherId).
  static bool better(double score, std::int32_t id, double otherScore, std::int32_t otherId) {
    return score > otherScore || (score == otherScore && id < otherId);
  }

  void push(double score, std::int32_t id) {
    if (k_ == 0) return;
    if (heap_.size() < k_) {
      heap_.push_back({score, id});
      std::push_heap(heap_.begin(), heap_.end(), worstOnTop);
    } else if (better(score, id, heap_.front().score, heap_.front().id)) {
      std::pop_heap(heap_.begin(), heap_.end(), worstOnTop);
      heap_.back() = {score, id};
      std::push_heap(heap_.begin(), heap_.end(), worstOnTop);
    }
  }

  std::size_t size() const { return heap_.size(); }
  bool full() const { return heap_.size() == k_; }
  /// The score a newcomer must beat once full().
  double worstScore() const { return heap_.front().score; }

  /// Appends the kept pairs, best first, and empties the heap.
  void drainSorted(std::vector<std::int32_t>& ids, std::vector<double>& scores) {
    std::sort_heap(heap_.begin(), heap_.end(), worstOnTop);  // ascending in "worse" = best first
    for (const Entry& e : heap_) {
      ids.push_back(e.id);
      scores.push_back(e.score);
    }
    heap_.clear();
  }

 private:
  struct Entry {
    double score;
    std::int32_t id;
  };
  // Heap comparator: a "less than" b when a is better, so the heap's top is the worst entry.
  static bool worstOnTop(const Entry& a, const Entry& b) {
    return better(a.score, a.id, b.score, b.id);
  }

  std::size_t k_;
  std::vector<Entry> heap_;
};

}  // namespace recwasm
