#include <algorithm>
#include <cmath>

#include "knn_graph.h"
#include "recwasm/cold.h"
#include "recwasm/error.h"
#include "recwasm/models/knn.h"
#include "recwasm/numpy_sum.h"
#include "recwasm/training_run.h"

namespace recwasm {

using knn::RatingRow;
using knn::Settings;
using knn::Similarity;

struct UserKnn::State {
  knn::NeighborLists neighbors;    // per user, strongest first
  std::vector<double> means;       // nanmean_safe(R[u])
  std::vector<double> deviations;  // r_vi - mean(v), aligned with userItemRatings()
};

namespace {

constexpr const char* kKind = "user_knn";
constexpr std::uint32_t kStateFormat = 1;

Similarity similarityOf(const Settings& s) {
  return s.implicit ? Similarity::kBinary : Similarity::kPearson;
}

std::shared_ptr<const UserKnn::State> buildState(const Interactions& train,
                                                 const Settings& settings) {
  auto state = std::make_shared<UserKnn::State>();
  const SparseRows& byUser = train.userItemRatings();
  const auto numItems = static_cast<std::size_t>(train.numItems());
  state->means.resize(static_cast<std::size_t>(train.numUsers()));
  state->deviations.resize(byUser.values.size());
  for (std::int32_t u = 0; u < train.numUsers(); ++u) {
    double mean = notebookNanMean(byUser.indicesOf(u), byUser.valuesOf(u), numItems);
    state->means[static_cast<std::size_t>(u)] = mean;
    for (auto e = static_cast<std::size_t>(byUser.offsets[static_cast<std::size_t>(u)]);
         e < static_cast<std::size_t>(byUser.offsets[static_cast<std::size_t>(u) + 1]); ++e) {
      state->deviations[e] = byUser.values[e] - mean;
    }
  }
  state->neighbors =
      knn::buildNeighborLists(byUser, train.itemUserRatings(), similarityOf(settings), settings,
                              /*sortRows=*/true);
  return state;
}

// The user's neighbours in order (stored, or computed for a folded-in history) and mean.
struct Neighborhood {
  RatingRow row;
  double mean = 0.0;
  std::vector<std::int32_t> ids;
  std::vector<double> sims;
};

RECWASM_COLD Neighborhood neighborhoodOf(const UserContext& user, const Interactions& train,
                                         const UserKnn::State& state, const Settings& settings) {
  Neighborhood out;
  if (!user.foldedIn) {
    auto u = static_cast<std::size_t>(user.user);
    const SparseRows& byUser = train.userItemRatings();
    Span<std::int32_t> items = byUser.indicesOf(user.user);
    Span<double> values = byUser.valuesOf(user.user);
    out.row.items.assign(items.begin(), items.end());
    out.row.values.assign(values.begin(), values.end());
    out.mean = state.means[u];
    out.ids.assign(
        state.neighbors.ids.begin() + static_cast<std::ptrdiff_t>(state.neighbors.begin(user.user)),
        state.neighbors.ids.begin() + static_cast<std::ptrdiff_t>(state.neighbors.end(user.user)));
    out.sims.assign(
        state.neighbors.sims.begin() +
            static_cast<std::ptrdiff_t>(state.neighbors.begin(user.user)),
        state.neighbors.sims.begin() + static_cast<std::ptrdiff_t>(state.neighbors.end(user.user)));
    return out;
  }
  out.row = knn::ratingRowOf(user);
  out.mean =
      notebookNanMean(out.row.items, out.row.values, static_cast<std::size_t>(train.numItems()));
  knn::neighborsOfRow(out.row, train.userItemRatings(), train.itemUserRatings(),
                      similarityOf(settings), settings, user.user, out.ids, out.sims);
  return out;
}

}  // namespace

UserKnn::UserKnn(const OptionMap& options)
    : Recommender(kKind,
                  [&] {
                    Settings ignored;
                    return knn::readSettings(options, kKind, 30, ignored);
                  }()),
      settings_(std::make_unique<Settings>()) {
  knn::readSettings(this->options(), kKind, 30, *settings_);
}

UserKnn::~UserKnn() = default;

bool UserKnn::predictsRatings() const { return !settings_->implicit; }

std::size_t UserKnn::stateBytes() const {
  if (!state_) return 0;
  return state_->neighbors.bytes() +
         (state_->means.size() + state_->deviations.size()) * sizeof(double);
}

std::unique_ptr<Recommender::TrainingRun> UserKnn::startTraining(const Dataset& data) {
  knn::requireTrainable(data, kKind);
  return std::make_unique<OnePassRun<std::shared_ptr<const State>>>(
      buildState(*data.interactions, *settings_));
}

void UserKnn::adopt(TrainingRun& run) {
  state_ = std::move(static_cast<OnePassRun<std::shared_ptr<const State>>&>(run).state());
}

void UserKnn::scoreInto(const UserContext& user, double* scores) const {
  const Interactions& train = trainingData();
  const SparseRows& byUser = train.userItemRatings();
  const auto numItems = static_cast<std::size_t>(train.numItems());
  const Settings& settings = *settings_;
  Neighborhood hood = neighborhoodOf(user, train, *state_, settings);

  // Neighbours in order, each adding to the items it rated until an item has k neighbours: for
  // every item this visits exactly the notebook's top-k raters, in the notebook's order.
  std::vector<double> num(numItems, 0.0);
  std::vector<double> den(numItems, 0.0);
  std::vector<std::int32_t> used(numItems, 0);
  const std::int32_t k = settings.neighbors;
  for (std::size_t n = 0; n < hood.ids.size(); ++n) {
    std::int32_t v = hood.ids[n];
    double s = hood.sims[n];
    double absS = std::fabs(s);
    auto begin = static_cast<std::size_t>(byUser.offsets[static_cast<std::size_t>(v)]);
    auto end = static_cast<std::size_t>(byUser.offsets[static_cast<std::size_t>(v) + 1]);
    const std::int32_t* items = byUser.indices.data();
    if (settings.implicit) {
      for (std::size_t e = begin; e < end; ++e) {
        auto i = static_cast<std::size_t>(items[e]);
        if (used[i] >= k) continue;
        num[i] += s;
        ++used[i];
      }
      continue;
    }
    const double* dev = state_->deviations.data();
    for (std::size_t e = begin; e < end; ++e) {
      auto i = static_cast<std::size_t>(items[e]);
      if (used[i] >= k) continue;
      num[i] += s * dev[e];
      den[i] += absS;
      ++used[i];
    }
  }
  if (settings.implicit) {
    for (std::size_t i = 0; i < numItems; ++i) scores[i] = num[i];
    return;
  }
  for (std::size_t i = 0; i < numItems; ++i) {
    scores[i] = used[i] > 0 && den[i] != 0 ? hood.mean + num[i] / den[i] : hood.mean;
  }
  for (std::size_t e = 0; e < hood.row.items.size(); ++e) {
    scores[static_cast<std::size_t>(hood.row.items[e])] = hood.row.values[e];
  }
}

RECWASM_COLD std::vector<Contribution> UserKnn::explainItem(const UserContext& user,
                                                            std::int32_t item, int topN) const {
  const Interactions& train = trainingData();
  const SparseRows& byUser = train.userItemRatings();
  const Settings& settings = *settings_;
  Neighborhood hood = neighborhoodOf(user, train, *state_, settings);
  const auto rated = std::lower_bound(hood.row.items.begin(), hood.row.items.end(), item);
  if (!settings.implicit && rated != hood.row.items.end() && *rated == item) return {};

  // The neighbours the prediction used: the first k in order who rated the item.
  std::vector<std::size_t> used;  // indices into hood
  std::vector<double> deviation;
  double den = 0.0;
  for (std::size_t n = 0; n < hood.ids.size() && static_cast<int>(used.size()) < settings.neighbors;
       ++n) {
    std::int32_t v = hood.ids[n];
    Span<std::int32_t> items = byUser.indicesOf(v);
    auto it = std::lower_bound(items.begin(), items.end(), item);
    if (it == items.end() || *it != item) continue;
    auto e = static_cast<std::size_t>(byUser.offsets[static_cast<std::size_t>(v)]) +
             static_cast<std::size_t>(it - items.begin());
    used.push_back(n);
    deviation.push_back(settings.implicit ? 1.0 : state_->deviations[e]);
    den += std::fabs(hood.sims[n]);
  }
  if (used.empty()) return {};

  // Each co-rated history item's share of s(u, v): its term of the Pearson numerator over the
  // denominator (implicit: an equal share of the overlap count), shrunk like s.
  std::vector<double> weight(hood.row.items.size(), 0.0);
  std::vector<std::size_t> mine;
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t u = 0; u < used.size(); ++u) {
    std::int32_t v = hood.ids[used[u]];
    Span<std::int32_t> theirs = byUser.indicesOf(v);
    Span<double> theirValues = byUser.valuesOf(v);
    mine.clear();
    x.clear();
    y.clear();
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < hood.row.items.size() && b < theirs.size()) {
      if (hood.row.items[a] < theirs[b]) {
        ++a;
      } else if (theirs[b] < hood.row.items[a]) {
        ++b;
      } else {
        mine.push_back(a);
        x.push_back(hood.row.values[a]);
        y.push_back(theirValues[b]);
        ++a;
        ++b;
      }
    }
    const std::size_t n = mine.size();
    double shrink = settings.shrinkage > 0
                        ? static_cast<double>(n) / (static_cast<double>(n) + settings.shrinkage)
                        : 1.0;
    double scale = settings.implicit ? 1.0 : deviation[u] / den;
    if (settings.implicit) {
      double s = hood.sims[used[u]];
      for (std::size_t t = 0; t < n; ++t) weight[mine[t]] += s / static_cast<double>(n);
      continue;
    }
    double meanX = numpySum(x.data(), n) / static_cast<double>(n);
    double meanY = numpySum(y.data(), n) / static_cast<double>(n);
    for (std::size_t t = 0; t < n; ++t) {
      x[t] -= meanX;
      y[t] -= meanY;
    }
    double denom =
        std::sqrt(numpyDot(x.data(), x.data(), n)) * std::sqrt(numpyDot(y.data(), y.data(), n));
    if (denom == 0) continue;
    for (std::size_t t = 0; t < n; ++t) {
      weight[mine[t]] += x[t] * y[t] / denom * shrink * scale;
    }
  }
  std::vector<Contribution> all(weight.size());
  for (std::size_t a = 0; a < weight.size(); ++a) all[a] = {hood.row.items[a], weight[a]};
  return strongestContributions(all, topN);
}

RECWASM_COLD void UserKnn::saveState(SnapshotWriter& out) const {
  out.pod<std::uint32_t>(kStateFormat);
}

RECWASM_COLD void UserKnn::loadState(SnapshotReader& in) {
  if (in.pod<std::uint32_t>() != kStateFormat) SnapshotReader::corrupt("unknown user_knn state");
  const Interactions& train = trainingData();
  if (train.numRows() == 0) SnapshotReader::corrupt("user_knn snapshot without training rows");
  state_ = buildState(train, *settings_);
}

}  // namespace recwasm
