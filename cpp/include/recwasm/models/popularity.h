// The popularity baseline: items ranked by how often they occur in the training rows.
#pragma once

#include <vector>

#include "recwasm/recommender.h"

namespace recwasm {

/// Training counts and the notebook's popularity order: count descending, ties to the lower
/// item id (the notebook's own tie order came from an unstable pandas sort). Items that never
/// occur in training are not ranked at all, as in the notebook. Other models reuse this as
/// their cold-start fallback.
class PopularityRanking {
 public:
  PopularityRanking() = default;
  explicit PopularityRanking(const Interactions& train);

  const std::vector<std::int32_t>& rankedItems() const { return ranked_; }
  const std::vector<double>& counts() const { return counts_; }
  /// The first k ranked items the filter allows, scored by their counts.
  void recommend(const CandidateFilter& filter, int k, Recommendations& out) const;

  void save(SnapshotWriter& out) const;
  void load(SnapshotReader& in, std::int32_t numItems);

 private:
  void rankFromCounts();

  std::vector<double> counts_;
  std::vector<std::int32_t> ranked_;
};

/// Model "popularity" (no options).
class Popularity final : public Recommender {
 public:
  explicit Popularity(const OptionMap& options);

 protected:
  std::unique_ptr<TrainingRun> startTraining(const Dataset& data) override;
  void adopt(TrainingRun& run) override;
  void scoreInto(const UserContext& user, double* scores) const override;
  void rank(const UserContext& user, const CandidateFilter& filter, int k,
            Recommendations& out) const override;
  void saveState(SnapshotWriter& out) const override;
  void loadState(SnapshotReader& in) override;

 private:
  PopularityRanking ranking_;
};

}  // namespace recwasm
