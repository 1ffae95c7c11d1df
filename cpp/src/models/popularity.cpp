#include "recwasm/models/popularity.h"

#include <algorithm>
#include <limits>

#include "recwasm/cold.h"
#include "recwasm/training_run.h"

namespace recwasm {

PopularityRanking::PopularityRanking(const Interactions& train)
    : counts_(static_cast<std::size_t>(train.numItems()), 0.0) {
  for (std::int32_t item : train.itemOfRow()) counts_[static_cast<std::size_t>(item)] += 1.0;
  rankFromCounts();
}

void PopularityRanking::rankFromCounts() {
  ranked_.clear();
  for (std::size_t item = 0; item < counts_.size(); ++item) {
    if (counts_[item] > 0) ranked_.push_back(static_cast<std::int32_t>(item));
  }
  std::stable_sort(ranked_.begin(), ranked_.end(), [this](std::int32_t a, std::int32_t b) {
    return counts_[static_cast<std::size_t>(a)] > counts_[static_cast<std::size_t>(b)];
  });
}

void PopularityRanking::recommend(const CandidateFilter& filter, int k,
                                  Recommendations& out) const {
  for (std::int32_t item : ranked_) {
    if (static_cast<int>(out.items.size()) >= k) break;
    if (!filter.allows(item)) continue;
    out.items.push_back(item);
    out.scores.push_back(counts_[static_cast<std::size_t>(item)]);
  }
}

RECWASM_COLD void PopularityRanking::save(SnapshotWriter& out) const { out.vector(counts_); }

RECWASM_COLD void PopularityRanking::load(SnapshotReader& in, std::int32_t numItems) {
  counts_ = in.vector<double>();
  if (counts_.size() != static_cast<std::size_t>(numItems)) {
    SnapshotReader::corrupt("popularity counts do not match the catalogue");
  }
  for (double c : counts_) {
    if (!(c >= 0)) SnapshotReader::corrupt("negative popularity count");
  }
  rankFromCounts();
}

Popularity::Popularity(const OptionMap& options)
    : Recommender("popularity", [&] {
        OptionReader reader(options, "popularity");
        reader.finish();
        return reader.resolved();
      }()) {}

std::unique_ptr<Recommender::TrainingRun> Popularity::startTraining(const Dataset& data) {
  return std::make_unique<OnePassRun<PopularityRanking>>(PopularityRanking(*data.interactions));
}

void Popularity::adopt(TrainingRun& run) {
  ranking_ = std::move(static_cast<OnePassRun<PopularityRanking>&>(run).state());
}

void Popularity::scoreInto(const UserContext&, double* scores) const {
  const std::vector<double>& counts = ranking_.counts();
  for (std::size_t item = 0; item < counts.size(); ++item) {
    scores[item] = counts[item] > 0 ? counts[item] : -std::numeric_limits<double>::infinity();
  }
}

void Popularity::rank(const UserContext&, const CandidateFilter& filter, int k,
                      Recommendations& out) const {
  ranking_.recommend(filter, k, out);
}

RECWASM_COLD void Popularity::saveState(SnapshotWriter& out) const { ranking_.save(out); }

RECWASM_COLD void Popularity::loadState(SnapshotReader& in) { ranking_.load(in, numItems()); }

}  // namespace recwasm
