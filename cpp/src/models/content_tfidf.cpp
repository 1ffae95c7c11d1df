#include "recwasm/models/content_tfidf.h"

#include <cmath>
#include <limits>

#include "recwasm/cold.h"
#include "recwasm/tfidf.h"
#include "recwasm/top_k.h"
#include "recwasm/training_run.h"

namespace recwasm {

namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();
// Values of an L2-normalised row are at most 1, give or take the rounding of the norm.
constexpr double kMaxUnitValue = 1.0 + 1e-9;

OptionMap readOptions(const OptionMap& given, int& maxFeatures, bool& removeStopWords,
                      ContentTfidf::Profile& profile) {
  OptionReader reader(given, "content_tfidf");
  maxFeatures = reader.integer("max_features", 5000, 0, 100000000);
  removeStopWords = reader.choice("stop_words", "english", {"english", "none"}) == "english";
  const std::string p = reader.choice("profile", "mean", {"mean", "rating", "centered"});
  profile = p == "rating"     ? ContentTfidf::Profile::kRating
            : p == "centered" ? ContentTfidf::Profile::kCentered
                              : ContentTfidf::Profile::kMean;
  reader.finish();
  return reader.resolved();
}

// The transpose of `rows` (columns ascending become rows ascending).
SparseRows transpose(const SparseRows& rows, std::int32_t columns) {
  SparseRows t;
  t.offsets.assign(static_cast<std::size_t>(columns) + 1, 0);
  for (std::int32_t c : rows.indices) ++t.offsets[static_cast<std::size_t>(c) + 1];
  for (std::size_t c = 0; c < static_cast<std::size_t>(columns); ++c) {
    t.offsets[c + 1] += t.offsets[c];
  }
  t.indices.resize(rows.indices.size());
  t.values.resize(rows.values.size());
  std::vector<std::int32_t> next(t.offsets.begin(), t.offsets.end() - 1);
  for (std::int32_t r = 0; r < rows.rows(); ++r) {
    for (std::int32_t e = rows.offsets[r]; e < rows.offsets[r + 1]; ++e) {
      const auto at = static_cast<std::size_t>(next[static_cast<std::size_t>(rows.indices[e])]++);
      t.indices[at] = r;
      t.values[at] = rows.values[static_cast<std::size_t>(e)];
    }
  }
  return t;
}

}  // namespace

ContentTfidf::ContentTfidf(const OptionMap& options)
    : Recommender("content_tfidf", readOptions(options, maxFeatures_, removeStopWords_, profile_)) {
}

std::unique_ptr<Recommender::TrainingRun> ContentTfidf::startTraining(const Dataset& data) {
  const Interactions& train = *data.interactions;
  require(data.itemText != nullptr,
          "content_tfidf needs item text (the dataset has none: set item descriptions first)");
  require(data.itemText->size() == static_cast<std::size_t>(train.numItems()),
          "content_tfidf needs one text per catalogue item (got " +
              std::to_string(data.itemText->size()) + " for " + std::to_string(train.numItems()) +
              " items)");
  TfidfMatrix matrix = fitTfidf(*data.itemText, {maxFeatures_, removeStopWords_});
  State state;
  state.terms = static_cast<std::int32_t>(matrix.terms.size());
  state.items = std::move(matrix.rows);
  state.popularity = PopularityRanking(train);
  return std::make_unique<OnePassRun<State>>(std::move(state));
}

void ContentTfidf::adopt(TrainingRun& run) {
  state_ = std::move(static_cast<OnePassRun<State>&>(run).state());
  buildTermIndex();
}

void ContentTfidf::buildTermIndex() { itemsOfTerm_ = transpose(state_.items, state_.terms); }

std::vector<double> ContentTfidf::historyWeights(const UserContext& user, double& total) const {
  const std::size_t n = user.items.size();
  std::vector<double> weights(n, 1.0);
  if (profile_ != Profile::kMean && n > 0) {
    double mean = 0.0;
    if (profile_ == Profile::kCentered) {
      for (double v : user.values) mean += v;
      mean /= static_cast<double>(n);
    }
    bool anyNonZero = false;
    for (std::size_t h = 0; h < n; ++h) {
      weights[h] = user.values[h] - mean;
      anyNonZero = anyNonZero || weights[h] != 0.0;
    }
    if (!anyNonZero) weights.assign(n, 1.0);  // nothing to weigh by: the plain mean
  }
  total = 0.0;
  for (double w : weights) total += std::fabs(w);
  return weights;
}

bool ContentTfidf::unitProfile(const UserContext& user, std::vector<double>& profile) const {
  profile.assign(static_cast<std::size_t>(state_.terms), 0.0);
  if (user.items.empty()) return false;
  double total = 0.0;
  const std::vector<double> weights = historyWeights(user, total);
  const SparseRows& items = state_.items;
  for (std::size_t h = 0; h < user.items.size(); ++h) {
    const std::int32_t item = user.items[h];
    for (std::int32_t e = items.offsets[item]; e < items.offsets[item + 1]; ++e) {
      profile[static_cast<std::size_t>(items.indices[static_cast<std::size_t>(e)])] +=
          weights[h] * items.values[static_cast<std::size_t>(e)];
    }
  }
  double sumSquares = 0.0;
  for (double& p : profile) {
    p /= total;
    sumSquares += p * p;
  }
  if (!(sumSquares > 0.0)) return false;
  const double norm = std::sqrt(sumSquares);
  for (double& p : profile) p /= norm;
  return true;
}

void ContentTfidf::cosines(const std::vector<double>& profile, double* scores) const {
  // Term by term over the postings of the profile's non-zero terms: each item's sum receives
  // its products in ascending term order, exactly as a row-by-row dot product would (the
  // skipped terms would only add +0), but common terms no longer cost a pass over every item.
  std::fill(scores, scores + state_.items.rows(), 0.0);
  const SparseRows& postings = itemsOfTerm_;
  for (std::int32_t t = 0; t < state_.terms; ++t) {
    const double p = profile[static_cast<std::size_t>(t)];
    if (p == 0.0) continue;
    for (std::int32_t e = postings.offsets[t]; e < postings.offsets[t + 1]; ++e) {
      scores[postings.indices[static_cast<std::size_t>(e)]] +=
          postings.values[static_cast<std::size_t>(e)] * p;
    }
  }
}

void ContentTfidf::scoreInto(const UserContext& user, double* scores) const {
  std::vector<double> profile;
  if (unitProfile(user, profile)) {
    cosines(profile, scores);
    return;
  }
  const std::vector<double>& counts = state_.popularity.counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    scores[i] = counts[i] > 0 ? counts[i] : kNegativeInfinity;
  }
}

void ContentTfidf::rank(const UserContext& user, const CandidateFilter& filter, int k,
                        Recommendations& out) const {
  std::vector<double> profile;
  if (!unitProfile(user, profile)) {
    state_.popularity.recommend(filter, k, out);
    return;
  }
  std::vector<double> scores(static_cast<std::size_t>(numItems()));
  cosines(profile, scores.data());
  rankScores(scores, filter, k, out);
}

void ContentTfidf::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  const SparseRows& items = state_.items;
  std::vector<double> dot(static_cast<std::size_t>(items.rows()), 0.0);
  std::vector<std::int32_t> touched;
  for (std::int32_t e = items.offsets[item]; e < items.offsets[item + 1]; ++e) {
    const double v = items.values[static_cast<std::size_t>(e)];
    const std::int32_t term = items.indices[static_cast<std::size_t>(e)];
    for (std::int32_t p = itemsOfTerm_.offsets[term]; p < itemsOfTerm_.offsets[term + 1]; ++p) {
      const std::int32_t other = itemsOfTerm_.indices[static_cast<std::size_t>(p)];
      double& d = dot[static_cast<std::size_t>(other)];
      if (d == 0.0) touched.push_back(other);
      d += v * itemsOfTerm_.values[static_cast<std::size_t>(p)];
    }
  }
  TopK top(static_cast<std::size_t>(k));
  for (std::int32_t other : touched) {
    const double d = dot[static_cast<std::size_t>(other)];
    if (other != item && d > 0.0) top.push(d, other);
  }
  top.drainSorted(out.items, out.scores);
}

RECWASM_COLD std::vector<Contribution> ContentTfidf::explainItem(const UserContext& user,
                                                                 std::int32_t item,
                                                                 int topN) const {
  std::vector<double> profile;
  if (!unitProfile(user, profile)) return {};
  // |p| = |sum w_h x_h| / W; recover it from the unnormalised profile to split the cosine.
  double total = 0.0;
  const std::vector<double> weights = historyWeights(user, total);
  const SparseRows& items = state_.items;
  std::vector<double> raw(static_cast<std::size_t>(state_.terms), 0.0);
  for (std::size_t h = 0; h < user.items.size(); ++h) {
    const std::int32_t hi = user.items[h];
    for (std::int32_t e = items.offsets[hi]; e < items.offsets[hi + 1]; ++e) {
      raw[static_cast<std::size_t>(items.indices[static_cast<std::size_t>(e)])] +=
          weights[h] * items.values[static_cast<std::size_t>(e)];
    }
  }
  double sumSquares = 0.0;
  for (double r : raw) sumSquares += r * r;
  const double rawNorm = std::sqrt(sumSquares);  // > 0: unitProfile succeeded

  // <x_h, x_item> via a dense copy of the item's row.
  std::vector<double> target(static_cast<std::size_t>(state_.terms), 0.0);
  for (std::int32_t e = items.offsets[item]; e < items.offsets[item + 1]; ++e) {
    target[static_cast<std::size_t>(items.indices[static_cast<std::size_t>(e)])] =
        items.values[static_cast<std::size_t>(e)];
  }
  std::vector<double> share(static_cast<std::size_t>(numItems()), 0.0);
  std::vector<std::int32_t> touched;
  for (std::size_t h = 0; h < user.items.size(); ++h) {
    const std::int32_t hi = user.items[h];
    double dot = 0.0;
    for (std::int32_t e = items.offsets[hi]; e < items.offsets[hi + 1]; ++e) {
      dot += items.values[static_cast<std::size_t>(e)] *
             target[static_cast<std::size_t>(items.indices[static_cast<std::size_t>(e)])];
    }
    double& s = share[static_cast<std::size_t>(hi)];
    if (s == 0.0) touched.push_back(hi);
    s += weights[h] * dot / rawNorm;
  }
  TopK top(static_cast<std::size_t>(topN));
  for (std::int32_t hi : touched) {
    const double s = share[static_cast<std::size_t>(hi)];
    if (s > 0.0) top.push(s, hi);
  }
  std::vector<std::int32_t> ids;
  std::vector<double> weightsOut;
  top.drainSorted(ids, weightsOut);
  std::vector<Contribution> result;
  for (std::size_t i = 0; i < ids.size(); ++i) result.push_back({ids[i], weightsOut[i]});
  return result;
}

RECWASM_COLD void ContentTfidf::saveState(SnapshotWriter& out) const {
  out.pod<std::int32_t>(state_.terms);
  out.vector(state_.items.offsets);
  out.vector(state_.items.indices);
  out.vector(state_.items.values);
  state_.popularity.save(out);
}

RECWASM_COLD void ContentTfidf::loadState(SnapshotReader& in) {
  State state;
  state.terms = in.pod<std::int32_t>();
  state.items.offsets = in.vector<std::int32_t>();
  state.items.indices = in.vector<std::int32_t>();
  state.items.values = in.vector<double>();
  const SparseRows& items = state.items;
  // Every term occurs in some item, so there are no more terms than stored values.
  if (state.terms < 1 || static_cast<std::size_t>(state.terms) > state.items.indices.size()) {
    SnapshotReader::corrupt("content_tfidf term count does not match its item vectors");
  }
  if (items.offsets.size() != static_cast<std::size_t>(numItems()) + 1 || items.offsets[0] != 0 ||
      static_cast<std::size_t>(items.offsets.back()) != items.indices.size() ||
      items.indices.size() != items.values.size()) {
    SnapshotReader::corrupt("content_tfidf item vectors do not match the catalogue");
  }
  for (std::int32_t r = 0; r < items.rows(); ++r) {
    if (items.offsets[r + 1] < items.offsets[r]) SnapshotReader::corrupt("bad vector offsets");
  }
  for (std::int32_t r = 0; r < items.rows(); ++r) {
    for (std::int32_t e = items.offsets[r]; e < items.offsets[r + 1]; ++e) {
      const std::int32_t t = items.indices[static_cast<std::size_t>(e)];
      const double v = items.values[static_cast<std::size_t>(e)];
      if (t < 0 || t >= state.terms || (e > items.offsets[r] && t <= items.indices[e - 1])) {
        SnapshotReader::corrupt("bad term index in an item vector");
      }
      if (!(v > 0.0 && v <= kMaxUnitValue)) SnapshotReader::corrupt("bad value in an item vector");
    }
  }
  state.popularity.load(in, numItems());
  for (double c : state.popularity.counts()) {
    if (!std::isfinite(c)) SnapshotReader::corrupt("bad popularity count");
  }
  state_ = std::move(state);
  buildTermIndex();
}

}  // namespace recwasm
