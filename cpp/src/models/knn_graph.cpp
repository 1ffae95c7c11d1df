#include "knn_graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "recwasm/cold.h"
#include "recwasm/error.h"
#include "recwasm/numpy_sum.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace recwasm::knn {

RECWASM_COLD OptionMap readSettings(const OptionMap& given, const char* kind, int defaultNeighbors,
                                    Settings& out) {
  OptionReader reader(given, kind);
  out.neighbors = reader.integer("neighbors", defaultNeighbors, 1, 1000000);
  out.minOverlap = reader.integer("minOverlap", 2, 1, 1000000);
  out.shrinkage = reader.number("shrinkage", 0.0, 0.0, 1e12);
  out.implicit = reader.flag("implicit", false);
  out.maxStoredNeighbors = reader.integer("maxStoredNeighbors", 0, 0, 1000000000);
  reader.finish();
  return reader.resolved();
}

RECWASM_COLD void requireTrainable(const Dataset& data, const char* kind) {
  if (data.interactions->numRows() == 0) {
    fail(ErrorCode::kInvalidArgument, std::string(kind) + " needs at least one rating to train on");
  }
}

namespace {

// Three sums of the same length at once, each with numpy's grouping.
struct Sums3 {
  double xx = 0.0;
  double yy = 0.0;
  double xy = 0.0;
  Sums3 operator+(const Sums3& o) const { return {xx + o.xx, yy + o.yy, xy + o.xy}; }
};

// sqrt((x * x).sum()) * sqrt((y * y).sum()), (x * y).sum() -> xy / denom, 0 when denom is 0.
double cosineOf(const Sums3& sums) {
  double xx = 0.0 + sums.xx;
  double yy = 0.0 + sums.yy;
  double xy = 0.0 + sums.xy;
  double denom = std::sqrt(xx) * std::sqrt(yy);
  return denom == 0 ? 0.0 : xy / denom;
}

}  // namespace

double pairSimilarity(Similarity kind, const double* x, const double* y, std::size_t n,
                      std::size_t degreeA, std::size_t degreeB, double shrinkage,
                      std::vector<double>& scratch) {
  double s = 0.0;
  switch (kind) {
    case Similarity::kBinary:
      s = static_cast<double>(n) /
          (std::sqrt(static_cast<double>(degreeA)) * std::sqrt(static_cast<double>(degreeB)));
      break;
    case Similarity::kCosine:
      s = cosineOf(numpyPairwise<Sums3>(
          [x, y](std::size_t k) {
            return Sums3{x[k] * x[k], y[k] * y[k], x[k] * y[k]};
          },
          0, n));
      break;
    case Similarity::kPearson: {
      // x - x.mean(), y - y.mean() over the overlap, then the cosine of the centred vectors.
      double meanX = numpySum(x, n) / static_cast<double>(n);
      double meanY = numpySum(y, n) / static_cast<double>(n);
      scratch.resize(2 * n);
      double* dx = scratch.data();
      double* dy = dx + n;
      for (std::size_t k = 0; k < n; ++k) {
        dx[k] = x[k] - meanX;
        dy[k] = y[k] - meanY;
      }
      s = cosineOf(numpyPairwise<Sums3>(
          [dx, dy](std::size_t k) {
            return Sums3{dx[k] * dx[k], dy[k] * dy[k], dx[k] * dy[k]};
          },
          0, n));
      break;
    }
  }
  if (shrinkage > 0) s = s * (static_cast<double>(n) / (static_cast<double>(n) + shrinkage));
  return s;
}

std::size_t NeighborLists::bytes() const {
  return offsets.capacity() * sizeof(std::uint32_t) + ids.capacity() * sizeof(std::int32_t) +
         sims.capacity() * sizeof(double);
}

namespace {

struct Entry {
  double absSim;
  double sim;
  std::int32_t id;
};

// A functor, so that the heap and sort calls inline it.
struct EntryBefore {
  bool operator()(const Entry& a, const Entry& b) const {
    return a.absSim > b.absSim || (a.absSim == b.absSim && a.id < b.id);
  }
};
constexpr EntryBefore entryBefore{};

[[noreturn]] void beyondCountedRoom() {
  fail(ErrorCode::kInternal, "kNN pair beyond the room its row was counted");
}

[[noreturn]] void tooManyPairs() {
  fail(ErrorCode::kOutOfMemory,
       "kNN similarity store exceeds 2^32 entries; set maxStoredNeighbors to bound it");
}

// Collects the similarities of the pairs (a, b), a < b, emitted row by row with b ascending, and
// turns them into neighbour lists: every pair for exact lists, or each row's maxStored strongest.
// Exact lists are written in place, into rows sized by a counting pass (see PartnerCounts): no
// intermediate copy of the pairs, whose pages would cost as much again. A row holds its partners
// below it, then those above: a pair goes to row a's upper part as it comes (writes in sequence),
// and finishExact() copies the upper parts into the lower parts of the partners in one pass (writes
// to every row at once, which cost twice as much interleaved with the pair pass).
class PairSink {
 public:
  /// Bounded lists.
  PairSink(std::int32_t rows, int maxStored)
      : rows_(rows), maxStored_(static_cast<std::size_t>(maxStored)) {
    kept_.resize(static_cast<std::size_t>(rows));
    weakestAbs_.assign(static_cast<std::size_t>(rows), -1.0);  // below any |s|: not full yet
    weakestId_.assign(static_cast<std::size_t>(rows), 0);
  }
  /// Exact lists; row r has room for bound.below[r] partners below it and bound.above[r] above.
  PairSink(std::int32_t rows, const PartnerCounts& bound) : rows_(rows), maxStored_(0) {
    exact_.offsets.assign(static_cast<std::size_t>(rows) + 1, 0);
    upperBegin_.resize(static_cast<std::size_t>(rows));
    std::uint64_t total = 0;  // size_t is 32 bits in wasm: a sum in it could wrap
    for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) {
      upperBegin_[r] = static_cast<std::uint32_t>(total + bound.below[r]);
      total += std::uint64_t{bound.below[r]} + bound.above[r];
      if (total > std::numeric_limits<std::uint32_t>::max()) tooManyPairs();
      exact_.offsets[r + 1] = static_cast<std::uint32_t>(total);
    }
    exact_.ids.resize(total);
    exact_.sims.resize(total);
    next_ = upperBegin_;
  }

  void emit(std::int32_t a, std::int32_t b, double sim) {
    if (maxStored_ > 0) {
      push(a, {std::fabs(sim), sim, b});
      push(b, {std::fabs(sim), sim, a});
      return;
    }
    // Row a's upper part stays ascending, which finishExact relies on; a pair out of order or
    // beyond a row's room is a bug here.
    std::uint32_t& at = next_[static_cast<std::size_t>(a)];
    if ((at > upperBegin_[static_cast<std::size_t>(a)] && exact_.ids[at - 1] >= b) || b <= a) {
      fail(ErrorCode::kInternal, "kNN pairs emitted out of order");
    }
    if (at == exact_.offsets[static_cast<std::size_t>(a) + 1]) beyondCountedRoom();
    exact_.ids[at] = b;
    exact_.sims[at] = sim;
    ++at;
  }

  NeighborLists finish(bool sortRows) {
    return maxStored_ > 0 ? finishHeaps() : finishExact(sortRows);
  }

 private:
  NeighborLists finishHeaps() {
    NeighborLists out;
    out.offsets.assign(static_cast<std::size_t>(rows_) + 1, 0);
    std::uint64_t total = 0;
    for (const auto& kept : kept_) total += std::min(kept.size(), maxStored_);
    if (total > std::numeric_limits<std::uint32_t>::max()) tooManyPairs();
    out.ids.reserve(total);
    out.sims.reserve(total);
    for (std::size_t r = 0; r < kept_.size(); ++r) {
      std::vector<Entry>& kept = kept_[r];
      std::sort(kept.begin(), kept.end(), entryBefore);
      if (kept.size() > maxStored_) kept.resize(maxStored_);
      for (const Entry& e : kept) {
        out.ids.push_back(e.id);
        out.sims.push_back(e.sim);
      }
      std::vector<Entry>().swap(kept_[r]);
      out.offsets[r + 1] = static_cast<std::uint32_t>(out.ids.size());
    }
    return out;
  }

  // The upper parts are copied into the partners' lower parts (rows a ascending: the lower parts
  // come ascending too), parts left short (pairs of similarity 0 had room) are closed up, then
  // rows are sorted into neighbour order on request.
  NeighborLists finishExact(bool sortRows) {
    NeighborLists out = std::move(exact_);
    std::vector<std::uint32_t> lowerNext(out.offsets.begin(), out.offsets.end() - 1);
    std::int32_t* ids = out.ids.data();
    double* sims = out.sims.data();
    for (std::int32_t a = 0; a < rows_; ++a) {
      const auto ai = static_cast<std::size_t>(a);
      for (std::uint32_t g = upperBegin_[ai], end = next_[ai]; g < end; ++g) {
        const auto b = static_cast<std::size_t>(ids[g]);
        const std::uint32_t at = lowerNext[b]++;
        if (at == upperBegin_[b]) beyondCountedRoom();
        ids[at] = a;
        sims[at] = sims[g];
      }
    }
    std::uint32_t write = 0;
    auto moveDown = [&](std::uint32_t begin, std::uint32_t end) {
      if (write != begin) {
        std::copy(out.ids.begin() + begin, out.ids.begin() + end, out.ids.begin() + write);
        std::copy(out.sims.begin() + begin, out.sims.begin() + end, out.sims.begin() + write);
      }
      write += end - begin;
    };
    for (std::int32_t r = 0; r < rows_; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const std::uint32_t first = write;
      moveDown(out.offsets[ri], lowerNext[ri]);
      moveDown(upperBegin_[ri], next_[ri]);
      out.offsets[ri] = first;
    }
    out.offsets[static_cast<std::size_t>(rows_)] = write;
    // The room left over stays allocated (about 5% for user_knn's Pearson on a million ratings,
    // none for cosine of positive ratings), where shrinking would copy every list once more.
    out.ids.resize(write);
    out.sims.resize(write);
    std::vector<std::uint32_t>().swap(next_);
    std::vector<std::uint32_t>().swap(upperBegin_);
    if (sortRows) {
      for (std::int32_t r = 0; r < rows_; ++r) sortIntoNeighborOrder(out, out.begin(r), out.end(r));
    }
    return out;
  }

  // A bounded top-maxStored per row: entries are appended until 2 * maxStored, then cut back to
  // the maxStored strongest (nth_element); the weakest kept then rejects most later pairs at once.
  void push(std::int32_t row, const Entry& e) {
    auto r = static_cast<std::size_t>(row);
    if (e.absSim < weakestAbs_[r] || (e.absSim == weakestAbs_[r] && e.id > weakestId_[r])) return;
    std::vector<Entry>& kept = kept_[r];
    if (kept.capacity() == 0) kept.reserve(2 * maxStored_);
    kept.push_back(e);
    if (kept.size() == 2 * maxStored_) {
      std::nth_element(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(maxStored_ - 1),
                       kept.end(), entryBefore);
      kept.resize(maxStored_);
      weakestAbs_[r] = kept.back().absSim;
      weakestId_[r] = kept.back().id;
    }
  }

  std::int32_t rows_;
  std::size_t maxStored_;
  // Bounded lists.
  std::vector<std::vector<Entry>> kept_;
  std::vector<double> weakestAbs_;
  std::vector<std::int32_t> weakestId_;
  // Exact lists: row r's upper part starts at upperBegin_[r]; next_[r] is where its next partner
  // above goes.
  NeighborLists exact_;
  std::vector<std::uint32_t> upperBegin_;
  std::vector<std::uint32_t> next_;
};

std::size_t degreeOf(const SparseRows& rows, std::int32_t r) {
  return static_cast<std::size_t>(rows.offsets[static_cast<std::size_t>(r) + 1] -
                                  rows.offsets[static_cast<std::size_t>(r)]);
}

}  // namespace

void sortIntoNeighborOrder(NeighborLists& lists, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  if (n < 2) return;
  std::int32_t* ids = lists.ids.data() + begin;
  double* sims = lists.sims.data() + begin;
  auto absBits = [](double s) {
    double a = std::fabs(s);
    std::uint64_t bits;
    std::memcpy(&bits, &a, sizeof bits);  // non-negative doubles order like their bit patterns
    return bits;
  };
  // Records carry their payload: one copy out and one back, and no gather by index.
  struct Keyed {
    std::uint32_t key;  // ~bits of |s| as a float: ascending keys = descending |s|
    std::int32_t id;
    double sim;
  };
  auto before = [](const Keyed& p, const Keyed& q) {
    return strongerNeighbor(p.sim, p.id, q.sim, q.id);
  };
  auto copyBack = [&](const std::vector<Keyed>& records) {
    for (std::size_t k = 0; k < n; ++k) {
      ids[k] = records[k].id;
      sims[k] = records[k].sim;
    }
  };
  if (n < 256) {  // short lists: a comparison sort
    thread_local std::vector<Keyed> records;
    records.resize(n);
    for (std::size_t k = 0; k < n; ++k) records[k] = {0, ids[k], sims[k]};
    std::sort(records.begin(), records.end(), before);
    copyBack(records);
    return;
  }
  // Long lists: a stable radix sort on |s| rounded to float (rounding is monotonic), up to 4
  // passes of 8 bits, then exact order within each run of equal floats. Runs are common (equal
  // similarities), but mostly already in order: the sort is stable and lists usually come with
  // ids ascending.
  thread_local std::vector<Keyed> a;
  thread_local std::vector<Keyed> b;
  a.resize(n);
  b.resize(n);
  // The four digits' histograms in the same pass; a digit all keys share needs no pass
  // (similarities of one list mostly share their exponent). 8-bit digits: typical lists hold a
  // few thousand entries, for which the prefix sums over wider digits would cost more than passes.
  thread_local std::vector<std::uint32_t> counts;
  counts.assign(4 * 256, 0);
  for (std::size_t k = 0; k < n; ++k) {
    float f = static_cast<float>(std::fabs(sims[k]));
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    const std::uint32_t key = ~bits;
    a[k] = {key, ids[k], sims[k]};
    ++counts[key & 255u];
    ++counts[256 + ((key >> 8) & 255u)];
    ++counts[512 + ((key >> 16) & 255u)];
    ++counts[768 + (key >> 24)];
  }
  for (unsigned digit = 0; digit < 4; ++digit) {
    std::uint32_t* count = counts.data() + digit * 256;
    const unsigned shift = digit * 8;
    if (count[(a[0].key >> shift) & 255u] == n) continue;
    std::uint32_t sum = 0;
    for (std::size_t c = 0; c < 256; ++c) {
      const std::uint32_t here = count[c];
      count[c] = sum;
      sum += here;
    }
    for (const Keyed& e : a) b[count[(e.key >> shift) & 255u]++] = e;
    a.swap(b);
  }
  // A run out of order mostly holds a few doubles a few units in the last place apart (equal
  // cosines from different sums): a counting pass on their distance from the largest sorts it
  // stably, in id order where the run came so, as checked after.
  constexpr std::uint64_t kCountedSpread = 1024;
  auto sortRun = [&](std::size_t first, std::size_t last) {
    auto runBegin = a.begin() + static_cast<std::ptrdiff_t>(first);
    auto runEnd = a.begin() + static_cast<std::ptrdiff_t>(last);
    std::uint64_t largest = 0;
    std::uint64_t smallest = std::numeric_limits<std::uint64_t>::max();
    for (auto e = runBegin; e != runEnd; ++e) {
      largest = std::max(largest, absBits(e->sim));
      smallest = std::min(smallest, absBits(e->sim));
    }
    if (largest - smallest < kCountedSpread) {
      counts.assign(static_cast<std::size_t>(largest - smallest) + 1, 0);
      for (auto e = runBegin; e != runEnd; ++e) ++counts[largest - absBits(e->sim)];
      std::uint32_t sum = static_cast<std::uint32_t>(first);
      for (std::uint32_t& count : counts) {
        const std::uint32_t here = count;
        count = sum;
        sum += here;
      }
      for (auto e = runBegin; e != runEnd; ++e) b[counts[largest - absBits(e->sim)]++] = *e;
      std::copy(b.begin() + static_cast<std::ptrdiff_t>(first),
                b.begin() + static_cast<std::ptrdiff_t>(last), runBegin);
      if (std::is_sorted(runBegin, runEnd, before)) return;
    }
    std::sort(runBegin, runEnd, before);
  };
  for (std::size_t first = 0; first < n;) {
    std::size_t last = first + 1;
    while (last < n && a[last].key == a[first].key) ++last;
    if (last - first > 1 &&
        !std::is_sorted(a.begin() + static_cast<std::ptrdiff_t>(first),
                        a.begin() + static_cast<std::ptrdiff_t>(last), before)) {
      sortRun(first, last);
    }
    first = last;
  }
  copyBack(a);
}

namespace {

// For every row a, the rows b > a sharing a column with it, reached through the columns of a
// in ascending order (so each pair's overlap comes in ascending column order, as numpy's masks
// select it). `visit(k, x, q, b)` sees row a's k-th column (value x) and position q of row b in
// that column; `cursor` tracks where a sits in each column.
class PairWalk {
 public:
  PairWalk(const SparseRows& rows, const SparseRows& columns)
      : rows_(rows),
        columns_(columns),
        cursor_(columns.offsets.begin(), columns.offsets.end() - 1),
        count_(static_cast<std::size_t>(rows.rows()), 0) {}

  /// Moves to row a (rows must be visited in ascending order) and counts its overlaps. The
  /// partners are visited in ranges of kChunk rows, so that per-partner state stays in cache,
  /// and touched() lists them in ascending order.
  template <class Visit>
  void enter(std::int32_t a, const Visit& visit) {
    constexpr std::int32_t kChunk = 1024;
    cols_ = rows_.indicesOf(a);
    vals_ = rows_.valuesOf(a);
    after_.resize(cols_.size());
    next_.resize(cols_.size());
    for (std::size_t k = 0; k < cols_.size(); ++k) {
      auto c = static_cast<std::size_t>(cols_[k]);
      after_[k] = ++cursor_[c];  // rows after a in column c
      next_[k] = after_[k];
    }
    const std::int32_t* bs = columns_.indices.data();
    const std::int32_t* ends = columns_.offsets.data() + 1;
    touched_.clear();
    for (std::int32_t chunk = a + 1;; chunk += kChunk) {
      const std::int32_t chunkEnd = chunk + kChunk;
      std::uint64_t seen[kChunk / 64] = {};
      bool more = false;
      for (std::size_t k = 0; k < cols_.size(); ++k) {
        const std::int32_t end = ends[cols_[k]];
        const double x = vals_[k];
        std::int32_t q = next_[k];
        for (; q < end && bs[q] < chunkEnd; ++q) {
          const std::int32_t b = bs[q];
          const auto offset = static_cast<std::uint32_t>(b - chunk);
          seen[offset >> 6] |= std::uint64_t{1} << (offset & 63);
          visit(x, q, b, count_[static_cast<std::size_t>(b)]++);
        }
        next_[k] = q;
        more = more || q < end;
      }
      for (std::uint32_t w = 0; w < kChunk / 64; ++w) {
        for (std::uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
          touched_.push_back(chunk + static_cast<std::int32_t>(w * 64) + __builtin_ctzll(bits));
        }
      }
      if (!more) break;
    }
  }
  /// Visits row a's pairs again, in the same order.
  template <class Visit>
  void revisit(const Visit& visit) const {
    const std::int32_t* bs = columns_.indices.data();
    for (std::size_t k = 0; k < cols_.size(); ++k) {
      auto c = static_cast<std::size_t>(cols_[k]);
      const double x = vals_[k];
      for (std::int32_t q = after_[k]; q < columns_.offsets[c + 1]; ++q) visit(x, q, bs[q]);
    }
  }
  const std::vector<std::int32_t>& touched() const { return touched_; }
  /// The overlap of a and b; resets it for the next row.
  std::int32_t takeCount(std::int32_t b) {
    std::int32_t n = count_[static_cast<std::size_t>(b)];
    count_[static_cast<std::size_t>(b)] = 0;
    return n;
  }
  std::size_t degree() const { return cols_.size(); }

 private:
  const SparseRows& rows_;
  const SparseRows& columns_;
  std::vector<std::int32_t> cursor_;
  std::vector<std::int32_t> count_;
  std::vector<std::int32_t> touched_;
  std::vector<std::int32_t> after_;
  std::vector<std::int32_t> next_;
  Span<std::int32_t> cols_;
  Span<double> vals_;
};

// Gathers the overlaps of the listed rows b into contiguous buffers (slot_[b] = where b's next
// value goes, -1 for rows not listed).
class OverlapBuffers {
 public:
  explicit OverlapBuffers(std::int32_t rows) : slot_(static_cast<std::size_t>(rows), -1) {}

  template <class Wanted>
  void fill(const PairWalk& walk, const SparseRows& columns, const std::vector<std::int32_t>& bs,
            const std::vector<std::int32_t>& counts, const Wanted& wanted) {
    for (std::int32_t b : listed_) slot_[static_cast<std::size_t>(b)] = -1;
    listed_ = bs;
    std::int32_t total = 0;
    for (std::size_t t = 0; t < bs.size(); ++t) {
      if (!wanted(t)) continue;
      slot_[static_cast<std::size_t>(bs[t])] = total;
      total += counts[t];
    }
    x_.resize(static_cast<std::size_t>(total));
    y_.resize(static_cast<std::size_t>(total));
    double* xs = x_.data();
    double* ys = y_.data();
    std::int32_t* slots = slot_.data();
    const double* values = columns.values.data();
    walk.revisit([&](double x, std::int32_t q, std::int32_t b) {
      std::int32_t at = slots[b];
      if (at < 0) return;
      xs[at] = x;
      ys[at] = values[q];
      slots[b] = at + 1;
    });
  }
  /// After fill: b's n values start at slot(b) - n.
  const double* x(std::int32_t b, std::int32_t n) const {
    return x_.data() + (slot_[static_cast<std::size_t>(b)] - n);
  }
  const double* y(std::int32_t b, std::int32_t n) const {
    return y_.data() + (slot_[static_cast<std::size_t>(b)] - n);
  }

 private:
  std::vector<std::int32_t> slot_;
  std::vector<std::int32_t> listed_;  // the rows whose slots are set
  std::vector<double> x_;
  std::vector<double> y_;
};

double shrunk(double s, std::int32_t n, double shrinkage) {
  if (shrinkage <= 0) return s;
  return s * (static_cast<double>(n) / (static_cast<double>(n) + shrinkage));
}

// Cosine without buffers: numpy's grouping of an n-long sum is known while streaming for
// n <= 128 (groups of 8 go to the 8 lanes as they complete, the last n % 8 values are added after
// the lanes are combined), so each pair keeps its pending group and its lanes. Longer overlaps
// (the recursive halving depends on the final n) are gathered and summed afterwards.
void streamCosine(const SparseRows& rows, const SparseRows& columns, const Settings& settings,
                  PairSink& sink) {
  const std::int32_t numRows = rows.rows();
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  const auto cells = static_cast<std::size_t>(numRows) * 8;
  std::vector<double> pendX(cells);
  std::vector<double> pendY(cells);
  // Per partner: the 8 lanes of x*x, then of y*y, then of x*y (plain loops that vectorise).
  std::vector<double> lanes(cells * 3);
  PairWalk walk(rows, columns);
  OverlapBuffers buffers(numRows);
  std::vector<std::int32_t> longPairs;
  std::vector<std::int32_t> longCounts;
  std::vector<std::size_t> longAt;
  std::vector<std::pair<std::int32_t, double>> found;
  std::vector<double> scratch;
  const double* values = columns.values.data();
  for (std::int32_t a = 0; a < numRows; ++a) {
    walk.enter(a, [&](double x, std::int32_t q, std::int32_t b, std::int32_t seen) {
      const std::size_t group = static_cast<std::size_t>(b) * 8;
      const auto lane = static_cast<std::size_t>(seen & 7);
      pendX[group + lane] = x;
      pendY[group + lane] = values[q];
      if (lane != 7) return;
      const double* px = &pendX[group];
      const double* py = &pendY[group];
      double* xx = &lanes[group * 3];
      double* yy = xx + 8;
      double* xy = xx + 16;
      if (seen == 7) {  // numpy starts the lanes with the first 8 values
        for (std::size_t l = 0; l < 8; ++l) {
          xx[l] = px[l] * px[l];
          yy[l] = py[l] * py[l];
          xy[l] = px[l] * py[l];
        }
      } else {
        for (std::size_t l = 0; l < 8; ++l) {
          xx[l] += px[l] * px[l];
          yy[l] += py[l] * py[l];
          xy[l] += px[l] * py[l];
        }
      }
    });
    longPairs.clear();
    longCounts.clear();
    longAt.clear();
    found.clear();
    for (std::int32_t b : walk.touched()) {
      const std::int32_t n = walk.takeCount(b);
      if (n < minOverlap) continue;
      if (n > 128) {
        longPairs.push_back(b);
        longCounts.push_back(n);
        longAt.push_back(found.size());
        found.push_back({b, 0.0});  // filled in below, keeping partners in ascending order
        continue;
      }
      const std::size_t group = static_cast<std::size_t>(b) * 8;
      const double* px = &pendX[group];
      const double* py = &pendY[group];
      Sums3 sums;
      if (n >= 8) {
        auto combine = [](const double* r) {
          return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        };
        const double* r = &lanes[group * 3];
        sums = {combine(r), combine(r + 8), combine(r + 16)};
      }
      for (std::int32_t l = 0; l < (n & 7); ++l) {  // all of a short sum, else the remainder
        sums = sums + Sums3{px[l] * px[l], py[l] * py[l], px[l] * py[l]};
      }
      found.push_back({b, shrunk(cosineOf(sums), n, settings.shrinkage)});
    }
    if (!longPairs.empty()) {
      buffers.fill(walk, columns, longPairs, longCounts, [](std::size_t) { return true; });
      for (std::size_t t = 0; t < longPairs.size(); ++t) {
        const std::int32_t b = longPairs[t];
        const std::int32_t n = longCounts[t];
        found[longAt[t]].second =
            pairSimilarity(Similarity::kCosine, buffers.x(b, n), buffers.y(b, n),
                           static_cast<std::size_t>(n), 0, 0, settings.shrinkage, scratch);
      }
    }
    for (const auto& [b, sim] : found) {
      if (sim != 0.0) sink.emit(a, b, sim);
    }
  }
}

// When every value is a small multiple of 2^-m (MovieLens' half stars: m = 1), the notebook's
// float64 sums are exact: each product is a multiple of 4^-m and every partial sum, whatever its
// grouping, stays below 2^31 * 4^-m, far inside the 53-bit significand. The sums then equal the
// integer sums of the scaled values (v * 2^m), scaled back by 4^-m, so they can be accumulated in
// int32 in any order (no per-pair lanes, no gathered buffers) and still be bit-identical.
struct IntegerScale {
  int shift = -1;                       // m, or -1 when the values do not qualify
  std::vector<std::int32_t> rowValues;  // scaled values of `rows`
  // Per entry of `columns`, its scaled value's square, then the value: a pair's terms from one
  // 8-byte read.
  std::vector<std::int32_t> columnTerms;
};

RECWASM_COLD IntegerScale integerScale(const SparseRows& rows, const SparseRows& columns) {
  constexpr int kMaxShift = 4;
  constexpr double kMaxScaled = 32768.0;  // squares below 2^30
  IntegerScale out;
  int shift = 0;
  double maxScaled = 0.0;
  for (double v : rows.values) {
    while (shift <= kMaxShift && std::ldexp(v, shift) != std::floor(std::ldexp(v, shift))) ++shift;
    if (shift > kMaxShift) return out;
    maxScaled = std::max(maxScaled, std::fabs(v));
  }
  maxScaled = std::ldexp(maxScaled, shift);
  if (!(maxScaled < kMaxScaled)) return out;
  // The longest overlap is at most the longest row; its sums of squares must fit int32.
  std::int64_t longest = 0;
  for (std::int32_t r = 0; r < rows.rows(); ++r) {
    longest = std::max<std::int64_t>(longest, rows.offsets[static_cast<std::size_t>(r) + 1] -
                                                  rows.offsets[static_cast<std::size_t>(r)]);
  }
  const auto term = static_cast<std::int64_t>(maxScaled) * static_cast<std::int64_t>(maxScaled);
  if (longest * term >= (std::int64_t{1} << 31)) return out;
  // `columns` holds the same entries as `rows` (the transpose), hence the same scale.
  auto scaled = [shift](double value) {
    return static_cast<std::int32_t>(std::ldexp(value, shift));
  };
  out.rowValues.resize(rows.values.size());
  for (std::size_t e = 0; e < rows.values.size(); ++e) out.rowValues[e] = scaled(rows.values[e]);
  out.columnTerms.resize(2 * columns.values.size());
  for (std::size_t e = 0; e < columns.values.size(); ++e) {
    const std::int32_t y = scaled(columns.values[e]);
    out.columnTerms[2 * e] = y * y;
    out.columnTerms[2 * e + 1] = y;
  }
  out.shift = shift;
  return out;
}

// The cosine of every pair from exact integer sums (see IntegerScale), pairs emitted row by row
// with partners ascending.
void integerCosine(const SparseRows& rows, const SparseRows& columns, const Settings& settings,
                   const IntegerScale& scaled, PairSink& sink) {
  struct Sums {
    std::int32_t n;
    std::int32_t xx;
    std::int32_t yy;
    std::int32_t xy;
  };
  const std::int32_t numRows = rows.rows();
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  const double back = std::ldexp(1.0, -2 * scaled.shift);  // 4^-m, exact
  std::vector<Sums> sums(static_cast<std::size_t>(numRows), Sums{0, 0, 0, 0});
  std::vector<std::uint64_t> touched((static_cast<std::size_t>(numRows) + 63) / 64, 0);
  const std::int32_t* terms = scaled.columnTerms.data();
  // cursor[c]: the position of the current row in column c (rows are visited in ascending order).
  std::vector<std::int32_t> cursor(columns.offsets.begin(), columns.offsets.end() - 1);
  const std::int32_t* bs = columns.indices.data();
  Sums* acc = sums.data();
  std::uint64_t* seen = touched.data();
  for (std::int32_t a = 0; a < numRows; ++a) {
    const auto first = static_cast<std::size_t>(rows.offsets[static_cast<std::size_t>(a)]);
    const auto last = static_cast<std::size_t>(rows.offsets[static_cast<std::size_t>(a) + 1]);
    for (std::size_t e = first; e < last; ++e) {
      const auto c = static_cast<std::size_t>(rows.indices[e]);
      const std::int32_t x = scaled.rowValues[e];
      const std::int32_t xx = x * x;
      const std::int32_t end = columns.offsets[c + 1];
#ifdef __wasm_simd128__
      const v128_t fixedTerms = wasm_i32x4_make(1, xx, 0, 0);
      const v128_t byX = wasm_i32x4_make(0, 0, 1, x);
#endif
      for (std::int32_t q = ++cursor[c]; q < end; ++q) {
        const auto b = static_cast<std::uint32_t>(bs[q]);
#ifdef __wasm_simd128__
        // The pair's four terms (1, xx, yy, xy) = (yy, y, yy, y) * (0, 0, 1, x) + (1, xx, 0, 0),
        // added to its sums in one vector operation.
        const v128_t pairTerms = wasm_i32x4_add(
            wasm_i32x4_mul(wasm_v128_load64_splat(terms + 2 * static_cast<std::size_t>(q)), byX),
            fixedTerms);
        void* s = &acc[b];
        wasm_v128_store(s, wasm_i32x4_add(wasm_v128_load(s), pairTerms));
#else
        Sums& s = acc[b];
        s.n += 1;
        s.xx += xx;
        s.yy += terms[2 * static_cast<std::size_t>(q)];
        s.xy += x * terms[2 * static_cast<std::size_t>(q) + 1];
#endif
        seen[b >> 6] |= std::uint64_t{1} << (b & 63);
      }
    }
    for (std::size_t w = static_cast<std::size_t>(a) >> 6; w < touched.size(); ++w) {
      for (std::uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
        const auto b =
            static_cast<std::int32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
        Sums& s = acc[b];
        if (s.n >= minOverlap) {
          const double sim =
              shrunk(cosineOf({static_cast<double>(s.xx) * back, static_cast<double>(s.yy) * back,
                               static_cast<double>(s.xy) * back}),
                     s.n, settings.shrinkage);
          if (sim != 0.0) sink.emit(a, b, sim);
        }
        s = Sums{0, 0, 0, 0};
      }
      seen[w] = 0;
    }
  }
}

// Pearson (two passes over each overlap: means, then centred sums) on gathered overlaps, and the
// binary cosine, which needs only the counts.
void gatherPairs(const SparseRows& rows, const SparseRows& columns, Similarity kind,
                 const Settings& settings, PairSink& sink) {
  const std::int32_t numRows = rows.rows();
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  PairWalk walk(rows, columns);
  OverlapBuffers buffers(numRows);
  std::vector<std::int32_t> pairs;
  std::vector<std::int32_t> counts;
  std::vector<double> scratch;
  for (std::int32_t a = 0; a < numRows; ++a) {
    walk.enter(a, [](double, std::int32_t, std::int32_t, std::int32_t) {});
    pairs.clear();
    counts.clear();
    for (std::int32_t b : walk.touched()) {
      const std::int32_t n = walk.takeCount(b);
      if (n < minOverlap) continue;
      pairs.push_back(b);
      counts.push_back(n);
    }
    if (kind != Similarity::kBinary && !pairs.empty()) {
      buffers.fill(walk, columns, pairs, counts, [](std::size_t) { return true; });
    }
    for (std::size_t t = 0; t < pairs.size(); ++t) {
      const std::int32_t b = pairs[t];
      const std::int32_t n = counts[t];
      const bool binary = kind == Similarity::kBinary;
      double sim = pairSimilarity(kind, binary ? nullptr : buffers.x(b, n),
                                  binary ? nullptr : buffers.y(b, n), static_cast<std::size_t>(n),
                                  walk.degree(), degreeOf(rows, b), settings.shrinkage, scratch);
      if (sim != 0.0) sink.emit(a, b, sim);
    }
  }
}

}  // namespace

PartnerCounts partnerCountsByPairWalk(const SparseRows& rows, const SparseRows& columns,
                                      std::int32_t minOverlap) {
  const std::int32_t numRows = rows.rows();
  PartnerCounts partners;
  partners.below.assign(static_cast<std::size_t>(numRows), 0);
  partners.above.assign(static_cast<std::size_t>(numRows), 0);
  std::vector<std::int32_t> overlap(static_cast<std::size_t>(numRows), 0);
  std::vector<std::uint64_t> touched((static_cast<std::size_t>(numRows) + 63) / 64, 0);
  std::vector<std::int32_t> cursor(columns.offsets.begin(), columns.offsets.end() - 1);
  const std::int32_t* bs = columns.indices.data();
  std::int32_t* counts = overlap.data();
  std::uint64_t* seen = touched.data();
  for (std::int32_t a = 0; a < numRows; ++a) {
    for (std::int32_t c : rows.indicesOf(a)) {
      const std::int32_t end = columns.offsets[static_cast<std::size_t>(c) + 1];
      for (std::int32_t q = ++cursor[static_cast<std::size_t>(c)]; q < end; ++q) {
        const auto b = static_cast<std::uint32_t>(bs[q]);
        ++counts[b];
        seen[b >> 6] |= std::uint64_t{1} << (b & 63);
      }
    }
    for (std::size_t w = static_cast<std::size_t>(a) >> 6; w < touched.size(); ++w) {
      for (std::uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
        const std::size_t b = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        if (counts[b] >= minOverlap) {
          ++partners.above[static_cast<std::size_t>(a)];
          ++partners.below[b];
        }
        counts[b] = 0;
      }
      seen[w] = 0;
    }
  }
  return partners;
}

namespace {

// Words of a bitset over `rows` rows, an even number: the wasm build combines them two at a time.
std::size_t bitsetWords(std::size_t rows) { return (rows + 127) / 128 * 2; }

}  // namespace

PartnerCounts partnerCountsByBitsets(const SparseRows& rows, const SparseRows& columns,
                                     std::int32_t minOverlap) {
  const auto numRows = static_cast<std::size_t>(rows.rows());
  const std::size_t words = bitsetWords(numRows);
  const auto depth = static_cast<std::size_t>(std::max(minOverlap, 1));
  std::vector<std::uint64_t> columnBits(static_cast<std::size_t>(columns.rows()) * words, 0);
  for (std::int32_t c = 0; c < columns.rows(); ++c) {
    std::uint64_t* bits = columnBits.data() + static_cast<std::size_t>(c) * words;
    for (std::int32_t r : columns.indicesOf(c)) {
      bits[static_cast<std::uint32_t>(r) >> 6] |= std::uint64_t{1} << (r & 63);
    }
  }
  PartnerCounts partners;
  partners.below.assign(numRows, 0);
  partners.above.assign(numRows, 0);
  // found[m * words + w]: the rows of word w met in more than m of row a's columns so far (a
  // count per bit, saturating at depth).
  std::vector<std::uint64_t> found(words * depth);
  const std::uint64_t* met = found.data() + (depth - 1) * words;
  for (std::size_t a = 0; a < numRows; ++a) {
    std::fill(found.begin(), found.end(), 0);
    for (std::int32_t c : rows.indicesOf(static_cast<std::int32_t>(a))) {
      const std::uint64_t* bits = columnBits.data() + static_cast<std::size_t>(c) * words;
#ifdef __wasm_simd128__
      for (std::size_t w = 0; w < words; w += 2) {
        v128_t carry = wasm_v128_load(bits + w);
        for (std::uint64_t* level = found.data() + w; level < found.data() + depth * words;
             level += words) {
          const v128_t had = wasm_v128_load(level);
          wasm_v128_store(level, wasm_v128_or(had, carry));
          carry = wasm_v128_and(had, carry);
        }
      }
#else
      for (std::size_t w = 0; w < words; ++w) {
        std::uint64_t carry = bits[w];
        for (std::size_t m = 0; m < depth; ++m) {
          std::uint64_t& level = found[m * words + w];
          const std::uint64_t both = level & carry;
          level |= carry;
          carry = both;
        }
      }
#endif
    }
    // Row a itself is met in all its columns: only the bits below and above it count.
    const std::size_t own = a >> 6;
    const std::uint64_t belowOwn = (std::uint64_t{1} << (a & 63)) - 1;
    const std::uint64_t aboveOwn = ~belowOwn << 1;
    std::uint32_t below = 0;
    std::uint32_t above = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t lower = w < own ? met[w] : w == own ? met[w] & belowOwn : 0;
      const std::uint64_t upper = w > own ? met[w] : w == own ? met[w] & aboveOwn : 0;
      below += static_cast<std::uint32_t>(__builtin_popcountll(lower));
      above += static_cast<std::uint32_t>(__builtin_popcountll(upper));
    }
    partners.below[a] = below;
    partners.above[a] = above;
  }
  return partners;
}

namespace {

// The cheaper counting way: the pair walk takes a scattered increment per pair of rows within a
// column, the bitsets a few word operations per column of a row, word of a bitset and level of
// overlap, about a quarter as dear (4.3x in native, 5x in wasm, on MovieLens, where both take
// 30 million steps). The bitsets' memory is capped.
PartnerCounts partnerCounts(const SparseRows& rows, const SparseRows& columns,
                            std::int32_t minOverlap) {
  constexpr std::int32_t kMaxBitsetDepth = 4;
  constexpr std::uint64_t kMaxBitsetBytes = std::uint64_t{64} << 20;
  const std::uint64_t words = bitsetWords(static_cast<std::size_t>(rows.rows()));
  const std::uint64_t depth = static_cast<std::uint64_t>(std::max(minOverlap, 1));
  std::uint64_t pairSteps = 0;
  for (std::int32_t c = 0; c < columns.rows(); ++c) {
    const auto degree = static_cast<std::uint64_t>(columns.indicesOf(c).size());
    if (degree > 1) pairSteps += degree * (degree - 1) / 2;
  }
  const std::uint64_t bitsetSteps = std::uint64_t{rows.nonZeros()} * words * depth;
  const bool bitsets = minOverlap <= kMaxBitsetDepth &&
                       static_cast<std::uint64_t>(columns.rows()) * words * 8 <= kMaxBitsetBytes &&
                       bitsetSteps < 3 * pairSteps;
  return bitsets ? partnerCountsByBitsets(rows, columns, minOverlap)
                 : partnerCountsByPairWalk(rows, columns, minOverlap);
}

}  // namespace

NeighborLists buildNeighborLists(const SparseRows& rows, const SparseRows& columns, Similarity kind,
                                 const Settings& settings, bool sortRows) {
  PairSink sink = settings.maxStoredNeighbors > 0
                      ? PairSink(rows.rows(), settings.maxStoredNeighbors)
                      : PairSink(rows.rows(), partnerCounts(rows, columns, settings.minOverlap));
  if (kind == Similarity::kCosine) {
    IntegerScale scaled = integerScale(rows, columns);
    if (scaled.shift >= 0) {
      integerCosine(rows, columns, settings, scaled, sink);
    } else {
      streamCosine(rows, columns, settings, sink);
    }
  } else {
    gatherPairs(rows, columns, kind, settings, sink);
  }
  return sink.finish(sortRows);
}

RECWASM_COLD RatingRow ratingRowOf(const UserContext& user) {
  std::vector<std::size_t> order(user.items.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return user.items[a] < user.items[b]; });
  RatingRow row;
  for (std::size_t k = 0; k < order.size(); ++k) {
    bool lastOfItem = k + 1 == order.size() || user.items[order[k + 1]] != user.items[order[k]];
    if (!lastOfItem) continue;
    row.items.push_back(user.items[order[k]]);
    row.values.push_back(user.values[order[k]]);
  }
  return row;
}

RECWASM_COLD void neighborsOfRow(const RatingRow& row, const SparseRows& rows,
                                 const SparseRows& columns, Similarity kind,
                                 const Settings& settings, std::int32_t skipRow,
                                 std::vector<std::int32_t>& ids, std::vector<double>& sims) {
  const std::int32_t numRows = rows.rows();
  const bool gather = kind != Similarity::kBinary;
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  std::vector<std::int32_t> count(static_cast<std::size_t>(numRows), 0);
  std::vector<std::int32_t> next(static_cast<std::size_t>(numRows), -1);
  std::vector<std::int32_t> touched;
  for (std::int32_t c : row.items) {
    for (std::int32_t b : columns.indicesOf(c)) {
      if (b == skipRow) continue;
      if (count[static_cast<std::size_t>(b)]++ == 0) touched.push_back(b);
    }
  }
  std::vector<double> bufX;
  std::vector<double> bufY;
  if (gather) {
    std::int32_t total = 0;
    for (std::int32_t b : touched) {
      auto bi = static_cast<std::size_t>(b);
      next[bi] = count[bi] >= minOverlap ? total : -1;
      if (count[bi] >= minOverlap) total += count[bi];
    }
    bufX.resize(static_cast<std::size_t>(total));
    bufY.resize(static_cast<std::size_t>(total));
    for (std::size_t k = 0; k < row.items.size(); ++k) {
      Span<std::int32_t> bs = columns.indicesOf(row.items[k]);
      Span<double> ys = columns.valuesOf(row.items[k]);
      for (std::size_t q = 0; q < bs.size(); ++q) {
        if (bs[q] == skipRow) continue;
        auto bi = static_cast<std::size_t>(bs[q]);
        if (next[bi] < 0) continue;
        bufX[static_cast<std::size_t>(next[bi])] = row.values[k];
        bufY[static_cast<std::size_t>(next[bi])] = ys[q];
        ++next[bi];
      }
    }
  }
  std::vector<Entry> found;
  std::vector<double> scratch;
  for (std::int32_t b : touched) {
    auto bi = static_cast<std::size_t>(b);
    std::int32_t n = count[bi];
    if (n < minOverlap) continue;
    std::size_t start = gather ? static_cast<std::size_t>(next[bi] - n) : 0;
    double sim =
        pairSimilarity(kind, bufX.data() + start, bufY.data() + start, static_cast<std::size_t>(n),
                       row.items.size(), degreeOf(rows, b), settings.shrinkage, scratch);
    if (sim != 0.0) found.push_back({std::fabs(sim), sim, b});
  }
  std::sort(found.begin(), found.end(), entryBefore);
  if (settings.maxStoredNeighbors > 0 &&
      found.size() > static_cast<std::size_t>(settings.maxStoredNeighbors)) {
    found.resize(static_cast<std::size_t>(settings.maxStoredNeighbors));
  }
  ids.clear();
  sims.clear();
  for (const Entry& e : found) {
    ids.push_back(e.id);
    sims.push_back(e.sim);
  }
}

}  // namespace recwasm::knn
