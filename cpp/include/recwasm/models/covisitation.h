// Item-item co-visitation from sessions: "people who viewed this also viewed" (the notebook's
// ItemItemCoVisitation).
#pragma once

#include <cstdint>
#include <vector>

#include "recwasm/models/popularity.h"
#include "recwasm/recommender.h"

namespace recwasm {

/// Each item's most frequent session neighbours, as compressed rows.
struct CovisitationGraph {
  std::vector<std::int64_t> offsets{0};  ///< item a's neighbours: [offsets[a], offsets[a+1])
  std::vector<std::int32_t> neighbors;   ///< best first
  std::vector<std::int32_t> counts;      ///< sessions holding both items, one per neighbour
};

/// Counts, for every ordered pair a != b, the sessions that contain both (each session's items
/// de-duplicated, first occurrence kept), and keeps each item's `keep` most frequent neighbours:
/// count descending, ties in the order b was first counted for a (sessions in order, then the
/// session's items in first-seen order), as Python's `Counter.most_common` does. Work is
/// proportional to the sum over sessions of (distinct items)^2; memory to the neighbours kept
/// plus one counter per item, never items x items. Sessions must hold ids in [0, numItems)
/// (kInvalidArgument otherwise).
CovisitationGraph buildCovisitation(std::int32_t numItems,
                                    const std::vector<std::vector<std::int32_t>>& sessions,
                                    int keep);

/// Model "covisitation".
///
/// Training needs `Dataset::sessions` (kInvalidArgument when absent); the interactions give
/// the users' histories and the popularity fallback.
///
/// recommend(): the neighbours of the last item of the history (train order, or the last item
/// of a folded-in history), in graph order, minus filtered items, up to k. When that leaves
/// nothing (no history, an item without neighbours, every neighbour filtered), the answer is
/// the popularity ranking; a list shorter than k is returned as it is (the notebook). Scores
/// are the co-visitation counts (popularity counts for the fallback).
///
/// score(): the counts of the last item's neighbours and -inf elsewhere; popularity counts when
/// the last item has no neighbours or the history is empty. (recommend() also falls back when
/// filtering removes every neighbour, which score() cannot know.)
///
/// Options:
/// - `neighbors` (default 50): neighbours kept per item;
/// - `pad_with_popularity` (default false): fill the list up to k with the popularity ranking
///   after the neighbours (and use the popularity ranking in place of the fallback). Padded
///   items score count / (1 + largest count), in (0, 1), below every neighbour; score() gives
///   every popular non-neighbour that score too. Beside the notebook row (leave-one-out, k=10):
///   demo data R@10 0.433 -> 0.500 (seed 42), 0.390 -> 0.445 averaged over seeds 0-49;
///   ml-latest-small (sessions cut at 1-hour gaps from the training rows) 0.085 -> 0.089.
///
/// similarItems(): the item's neighbour list. explain(): the last history item with its count
/// when the item is one of its neighbours, nothing otherwise.
class Covisitation final : public Recommender {
 public:
  explicit Covisitation(const OptionMap& options);

  struct State {
    CovisitationGraph graph;
    PopularityRanking popularity;
  };

 protected:
  std::unique_ptr<TrainingRun> startTraining(const Dataset& data) override;
  void adopt(TrainingRun& run) override;
  void scoreInto(const UserContext& user, double* scores) const override;
  void rank(const UserContext& user, const CandidateFilter& filter, int k,
            Recommendations& out) const override;
  void similarItemsInto(std::int32_t item, int k, Recommendations& out) const override;
  std::vector<Contribution> explainItem(const UserContext& user, std::int32_t item,
                                        int topN) const override;
  void saveState(SnapshotWriter& out) const override;
  void loadState(SnapshotReader& in) override;

 private:
  double paddingScore(std::int32_t item) const;

  int keep_;
  bool pad_;
  State state_;
  double largestCount_ = 0;  // of the popularity counts, for padding scores
};

}  // namespace recwasm
