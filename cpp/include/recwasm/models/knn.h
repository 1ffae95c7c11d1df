// Neighbourhood collaborative filtering: the notebook's UserKNNCF ("user_knn") and ItemKNNCF
// ("item_knn"), reproduced bit for bit from precomputed sparse similarities.
//
// Notebook semantics (the defaults). R is the dense train matrix, duplicates resolved to the last
// row; mean(u) is np.nanmean of R[u] (0 for a user without ratings), summed as numpy does.
//
// user_knn: s(u, v) = Pearson over the items both rated (at least 2; each side centred on the
//   overlap; 0 when a norm is 0). For an item i the user has not rated, the neighbours are the
//   users who rated i with s != 0, the 30 largest |s| (ties to the lower user id);
//   pred = mean(u) + sum s * (r_vi - mean(v)) / sum |s|, summed in that order; no neighbour ->
//   mean(u). A rated item scores its rating.
// item_knn: s(i, j) = cosine over the users who rated both (at least 2, not centred). The
//   neighbours of i are the items the user rated with s != 0, the 50 largest |s| (ties to the
//   lower item id); pred = sum s * r_uj / sum |s| in that order; no neighbour -> mean(u). A rated
//   item scores its rating.
// Rankings: score descending, ties to the lower item id (the notebook's stable sort).
//
// Options (both models; defaults reproduce the notebook):
//   neighbors           neighbours per prediction (user_knn 30, item_knn 50), >= 1
//   minOverlap          co-rated entries a similarity needs (2), >= 1
//   shrinkage           s * n / (n + shrinkage) with n the overlap (0 = off), >= 0
//   implicit            false; true ignores rating values: s = |A and B| / (sqrt|A| sqrt|B|)
//                       (binary cosine of the rating sets, overlap >= minOverlap) and an item
//                       scores the sum of its neighbours' s (0 without neighbours), rated items
//                       included; scores are then not rating predictions.
//   maxStoredNeighbors  0 = store every non-zero similarity (exact). N > 0 keeps only each row's
//                       N strongest (a bounded heap per user / per item): neighbours outside the
//                       stored N are ignored, so predictions differ from the notebook wherever a
//                       prediction would have used one (memory O(rows x N), faster fit and
//                       scoring).
//
// Unknown users: a supplied history (fold-in) is treated as a new row of R (last value wins):
// user_knn computes its similarities to every stored user (excluding the querying user's own
// stored row), item_knn uses it directly. Without a history: kUnknownUser.
// Explanations (explain): item_knn returns the history items among the prediction's neighbours,
// weighted by their share s * r_uj / sum |s| (implicit: s); user_knn splits each neighbour's term
// s(u, v) * (r_vi - mean(v)) / sum |s| over the co-rated history items by their share in the
// Pearson numerator (implicit: evenly), and sums per history item. Only positive weights are
// returned, strongest first (ties to the lower item id); a rated item (explicit mode) or an item
// predicted by the mean alone has no contributions.
// Similar items: item_knn ranks the stored neighbours of the item with s > 0 by s; user_knn has
// no item space (kUnsupported).
// Errors: training data without rows -> kInvalidArgument; a similarity store beyond 2^32 entries
// -> kOutOfMemory (use maxStoredNeighbors). Snapshots store options and training data; the
// similarities are rebuilt on load (deterministically, so outputs are identical).
#pragma once

#include <memory>

#include "recwasm/recommender.h"

namespace recwasm {

namespace knn {
struct Settings;
}

/// Model "user_knn".
class UserKnn final : public Recommender {
 public:
  explicit UserKnn(const OptionMap& options);
  ~UserKnn() override;
  bool predictsRatings() const override;
  /// Bytes held by the fitted state (neighbour lists, means, deviations).
  std::size_t stateBytes() const;

  struct State;

 protected:
  std::unique_ptr<TrainingRun> startTraining(const Dataset& data) override;
  void adopt(TrainingRun& run) override;
  void scoreInto(const UserContext& user, double* scores) const override;
  std::vector<Contribution> explainItem(const UserContext& user, std::int32_t item,
                                        int topN) const override;
  void saveState(SnapshotWriter& out) const override;
  void loadState(SnapshotReader& in) override;

 private:
  std::unique_ptr<knn::Settings> settings_;
  std::shared_ptr<const State> state_;
};

/// Model "item_knn".
class ItemKnn final : public Recommender {
 public:
  explicit ItemKnn(const OptionMap& options);
  ~ItemKnn() override;
  bool predictsRatings() const override;
  /// Bytes held by the fitted state (similarity lists, their inverse when bounded, each list's
  /// bounds and band cuts, the band of every stored similarity, list bitsets, means).
  std::size_t stateBytes() const;

  struct State;

 protected:
  std::unique_ptr<TrainingRun> startTraining(const Dataset& data) override;
  void adopt(TrainingRun& run) override;
  void scoreInto(const UserContext& user, double* scores) const override;
  void scoreItemsInto(const UserContext& user, Span<std::int32_t> items,
                      double* scores) const override;
  void rank(const UserContext& user, const CandidateFilter& filter, int k,
            Recommendations& out) const override;
  void similarItemsInto(std::int32_t item, int k, Recommendations& out) const override;
  std::vector<Contribution> explainItem(const UserContext& user, std::int32_t item,
                                        int topN) const override;
  void saveState(SnapshotWriter& out) const override;
  void loadState(SnapshotReader& in) override;

 private:
  std::unique_ptr<knn::Settings> settings_;
  std::shared_ptr<const State> state_;
};

}  // namespace recwasm
