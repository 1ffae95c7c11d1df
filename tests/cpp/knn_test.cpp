#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/evaluation.h"
#include "recwasm/model_registry.h"
#include "recwasm/models/knn.h"
#include "recwasm/numpy_sum.h"
#include "recwasm/split.h"
#include "recwasm/top_k.h"

using namespace recwasm;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- the brute-force twin: the notebook's formulas, naively, over a dense NaN matrix ---------

struct TwinOptions {
  int neighbors = 30;
  int minOverlap = 2;
  double shrinkage = 0.0;
  bool implicit = false;
  int maxStored = 0;
};

using Row = std::vector<double>;  // NaN = not rated

// np.nanmean with its zeros-for-NaN dense sum; nanmean_safe's 0 for an empty row.
double twinMean(const Row& row) {
  Row zeros(row.size());
  std::size_t count = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    zeros[i] = std::isnan(row[i]) ? 0.0 : row[i];
    count += std::isnan(row[i]) ? 0 : 1;
  }
  if (count == 0) return 0.0;
  return numpySum(zeros.data(), zeros.size()) / static_cast<double>(count);
}

std::size_t ratedCount(const Row& row) {
  std::size_t n = 0;
  for (double v : row) n += std::isnan(v) ? 0 : 1;
  return n;
}

// pearson_sim_nan / cosine_sim_nan (or the binary cosine), then shrinkage.
double twinSimilarity(const Row& a, const Row& b, bool pearson, const TwinOptions& o) {
  Row x;
  Row y;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isnan(a[i]) && !std::isnan(b[i])) {
      x.push_back(a[i]);
      y.push_back(b[i]);
    }
  }
  const std::size_t n = x.size();
  if (n < static_cast<std::size_t>(o.minOverlap) || n == 0) return 0.0;
  double s;
  if (o.implicit) {
    s = static_cast<double>(n) / (std::sqrt(static_cast<double>(ratedCount(a))) *
                                  std::sqrt(static_cast<double>(ratedCount(b))));
  } else {
    if (pearson) {
      double mx = numpySum(x.data(), n) / static_cast<double>(n);
      double my = numpySum(y.data(), n) / static_cast<double>(n);
      for (std::size_t k = 0; k < n; ++k) {
        x[k] -= mx;
        y[k] -= my;
      }
    }
    double denom =
        std::sqrt(numpyDot(x.data(), x.data(), n)) * std::sqrt(numpyDot(y.data(), y.data(), n));
    if (denom == 0) return 0.0;
    s = numpyDot(x.data(), y.data(), n) / denom;
  }
  if (o.shrinkage > 0) s = s * (static_cast<double>(n) / (static_cast<double>(n) + o.shrinkage));
  return s;
}

struct Neighbor {
  int id;
  double s;
};

// Python's sims.sort(key=abs, reverse=True): stable, so ties keep ascending ids.
void sortByStrength(std::vector<Neighbor>& sims) {
  std::stable_sort(sims.begin(), sims.end(), [](const Neighbor& a, const Neighbor& b) {
    return std::fabs(a.s) > std::fabs(b.s);
  });
}

struct Twin {
  std::vector<Row> R;  // users x items
  TwinOptions o;

  int users() const { return static_cast<int>(R.size()); }
  int items() const { return R.empty() ? 0 : static_cast<int>(R[0].size()); }
  Row column(int i) const {
    Row c;
    for (const Row& r : R) c.push_back(r[static_cast<std::size_t>(i)]);
    return c;
  }

  // UserKNNCF.predict_rating for a user whose row is `ru`, compared against every stored user
  // but `skip`.
  double userKnn(const Row& ru, int skip, int item) const {
    if (!o.implicit && !std::isnan(ru[static_cast<std::size_t>(item)])) {
      return ru[static_cast<std::size_t>(item)];
    }
    double mean = twinMean(ru);
    std::vector<Neighbor> all;
    for (int v = 0; v < users(); ++v) {
      if (v == skip) continue;
      double s = twinSimilarity(ru, R[static_cast<std::size_t>(v)], true, o);
      if (s != 0.0) all.push_back({v, s});
    }
    if (o.maxStored > 0) {  // only the user's maxStored strongest neighbours are kept
      sortByStrength(all);
      if (all.size() > static_cast<std::size_t>(o.maxStored))
        all.resize(static_cast<std::size_t>(o.maxStored));
      std::sort(all.begin(), all.end(),
                [](const Neighbor& a, const Neighbor& b) { return a.id < b.id; });
    }
    std::vector<Neighbor> sims;
    for (const Neighbor& nb : all) {
      if (!std::isnan(R[static_cast<std::size_t>(nb.id)][static_cast<std::size_t>(item)]))
        sims.push_back(nb);
    }
    if (sims.empty()) return o.implicit ? 0.0 : mean;
    sortByStrength(sims);
    if (sims.size() > static_cast<std::size_t>(o.neighbors))
      sims.resize(static_cast<std::size_t>(o.neighbors));
    double num = 0.0;
    double den = 0.0;
    for (const Neighbor& nb : sims) {
      const Row& rv = R[static_cast<std::size_t>(nb.id)];
      if (o.implicit) {
        num += nb.s;
        continue;
      }
      num += nb.s * (rv[static_cast<std::size_t>(item)] - twinMean(rv));
      den += std::fabs(nb.s);
    }
    if (o.implicit) return num;
    return den != 0 ? mean + num / den : mean;
  }

  // ItemKNNCF.predict_rating for a user whose row is `ru`.
  double itemKnn(const Row& ru, int item) const {
    if (!o.implicit && !std::isnan(ru[static_cast<std::size_t>(item)])) {
      return ru[static_cast<std::size_t>(item)];
    }
    double mean = twinMean(ru);
    Row target = column(item);
    std::vector<Neighbor> all;
    for (int j = 0; j < items(); ++j) {
      if (j == item) continue;
      double s = twinSimilarity(target, column(j), false, o);
      if (s != 0.0) all.push_back({j, s});
    }
    if (o.maxStored > 0) {  // only the item's maxStored strongest neighbours are kept
      sortByStrength(all);
      if (all.size() > static_cast<std::size_t>(o.maxStored))
        all.resize(static_cast<std::size_t>(o.maxStored));
      std::sort(all.begin(), all.end(),
                [](const Neighbor& a, const Neighbor& b) { return a.id < b.id; });
    }
    std::vector<Neighbor> sims;
    for (const Neighbor& nb : all) {
      if (!std::isnan(ru[static_cast<std::size_t>(nb.id)])) sims.push_back(nb);
    }
    if (sims.empty()) return o.implicit ? 0.0 : mean;
    sortByStrength(sims);
    if (sims.size() > static_cast<std::size_t>(o.neighbors))
      sims.resize(static_cast<std::size_t>(o.neighbors));
    double num = 0.0;
    double den = 0.0;
    for (const Neighbor& nb : sims) {
      num += o.implicit ? nb.s : nb.s * ru[static_cast<std::size_t>(nb.id)];
      den += std::fabs(nb.s);
    }
    if (o.implicit) return num;
    return den != 0 ? num / den : mean;
  }
};

// build_dense_rating_matrix: rows in order, the last value of a (user, item) wins.
Row denseRow(int items, const std::vector<std::int32_t>& historyItems,
             const std::vector<double>& values) {
  Row row(static_cast<std::size_t>(items), kNaN);
  for (std::size_t k = 0; k < historyItems.size(); ++k) {
    row[static_cast<std::size_t>(historyItems[k])] = values.empty() ? 1.0 : values[k];
  }
  return row;
}

std::vector<Row> denseMatrix(const Interactions& train) {
  std::vector<Row> R(static_cast<std::size_t>(train.numUsers()),
                     Row(static_cast<std::size_t>(train.numItems()), kNaN));
  for (std::size_t row = 0; row < train.numRows(); ++row) {
    R[static_cast<std::size_t>(train.userOfRow()[row])]
     [static_cast<std::size_t>(train.itemOfRow()[row])] = train.values()[row];
  }
  return R;
}

OptionMap optionMapOf(const TwinOptions& o, int defaultNeighbors) {
  OptionMap m;
  if (o.neighbors != defaultNeighbors) m["neighbors"] = static_cast<double>(o.neighbors);
  if (o.minOverlap != 2) m["minOverlap"] = static_cast<double>(o.minOverlap);
  if (o.shrinkage != 0) m["shrinkage"] = o.shrinkage;
  if (o.implicit) m["implicit"] = true;
  if (o.maxStored != 0) m["maxStoredNeighbors"] = static_cast<double>(o.maxStored);
  return m;
}

// Ranking of twin scores the notebook way: unseen items, score descending, ties to lower ids.
std::vector<std::int32_t> twinRanking(const Row& scores, const Row& ru, int k) {
  std::vector<std::int32_t> items;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(ru[i])) items.push_back(static_cast<std::int32_t>(i));
  }
  std::stable_sort(items.begin(), items.end(), [&](std::int32_t a, std::int32_t b) {
    return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)];
  });
  if (items.size() > static_cast<std::size_t>(k)) items.resize(static_cast<std::size_t>(k));
  return items;
}

struct RandomData {
  Dataset data;
  int users = 0;
  int items = 0;
};

// Small random tables with every awkward case: users with 0, 1 or constant ratings, repeated
// (user, item) rows (last wins), few distinct values (ties), optionally negative values, values
// that are or are not multiples of 0.5; and a few
// large shapes whose overlaps and rows exceed numpy's 8- and 128-element summation blocks.
RandomData randomData(std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomData out;
  int shape = seed % 10;
  out.users = shape == 8 ? 5 : shape == 9 ? 300 : uniform(1, 12);
  out.items = shape == 8 ? 300 : shape == 9 ? 6 : uniform(1, 16);
  const std::vector<double> positive = {1.2, 2.6, 3.0, 3.7, 4.4, 4.9, 5.0};
  const std::vector<double> mixed = {-2.3, -1.0, 0.0, 0.7, 1.0, 2.6};
  // Half stars (and signed halves) take item_knn's exact integer path (see knn_graph.cpp).
  const std::vector<double> halves = {0.5, 1.0, 2.5, 3.5, 4.0, 4.5, 5.0};
  const std::vector<double> signedHalves = {-2.5, -1.0, 0.0, 0.5, 1.0, 2.5};
  const std::vector<double>& values = seed % 7 == 3   ? (seed % 2 == 0 ? signedHalves : mixed)
                                      : seed % 5 == 1 ? halves
                                                      : positive;
  std::vector<std::int32_t> userOfRow;
  std::vector<std::int32_t> itemOfRow;
  std::vector<double> value;
  for (int u = 0; u < out.users; ++u) {
    int kind = uniform(0, 9);
    int count = kind == 0 ? 0 : kind == 1 ? 1 : uniform(2, out.items + 3);
    if (shape == 8) count = uniform(150, 280);
    if (shape == 9) count = uniform(3, 7);
    double constant =
        values[static_cast<std::size_t>(uniform(0, static_cast<int>(values.size()) - 1))];
    for (int r = 0; r < count; ++r) {
      userOfRow.push_back(u);
      // Shape 9 skews popularity (low ids popular) so that overlaps above and below 128 mix.
      int item = uniform(0, out.items - 1);
      if (shape == 9) item = std::min(item, uniform(0, out.items - 1));
      itemOfRow.push_back(item);
      value.push_back(
          kind == 2
              ? constant
              : values[static_cast<std::size_t>(uniform(0, static_cast<int>(values.size()) - 1))]);
    }
  }
  if (userOfRow.empty()) {
    userOfRow.push_back(0);
    itemOfRow.push_back(0);
    value.push_back(3.0);
  }
  out.data.interactions = std::make_shared<Interactions>(
      std::make_shared<IdMap>(IdMap::identity(out.users)),
      std::make_shared<IdMap>(IdMap::identity(out.items)), userOfRow, itemOfRow, value);
  return out;
}

TwinOptions randomOptions(std::uint32_t seed, int defaultNeighbors) {
  std::mt19937 rng(seed * 7919u + 11u);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  TwinOptions o;
  o.neighbors = defaultNeighbors;
  if (seed % 3 == 0) return o;  // the notebook's defaults
  const int neighbors[] = {1, 2, 3, 5, defaultNeighbors};
  const int overlaps[] = {1, 2, 2, 3};
  const double shrinks[] = {0.0, 0.0, 2.5, 10.0};
  const int stored[] = {0, 0, 1, 3};
  o.neighbors = neighbors[pick(5)];
  o.minOverlap = overlaps[pick(4)];
  o.shrinkage = shrinks[pick(4)];
  o.implicit = pick(4) == 0;
  o.maxStored = stored[pick(4)];
  return o;
}

std::string describe(const TwinOptions& o) {
  return "neighbors " + std::to_string(o.neighbors) + " minOverlap " +
         std::to_string(o.minOverlap) + " shrinkage " + std::to_string(o.shrinkage) + " implicit " +
         std::to_string(o.implicit) + " maxStored " + std::to_string(o.maxStored);
}

bool sameBits(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Checks every score and ranking of `model` against the twin, for every user and for fold-in
// histories (a new user and a known user with a replaced history).
void checkAgainstTwin(const Recommender& model, const Twin& twin, bool userBased,
                      std::mt19937& rng) {
  const int items = twin.items();
  auto twinScores = [&](const Row& ru, int skip) {
    Row s(static_cast<std::size_t>(items));
    for (int i = 0; i < items; ++i) {
      s[static_cast<std::size_t>(i)] = userBased ? twin.userKnn(ru, skip, i) : twin.itemKnn(ru, i);
    }
    return s;
  };
  auto compare = [&](const Query& query, const Row& ru, int skip) {
    Row expected = twinScores(ru, skip);
    std::vector<double> actual = model.score(query);
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      INFO("item " << i << " expected " << expected[i] << " got " << actual[i]);
      REQUIRE(sameBits(actual[i], expected[i]));
    }
    // The whole ranking, and short ones: a top k that few candidates decide takes shortcuts
    // (item_knn's best-rated level).
    for (int k : {items, 1, 3}) {
      RecommendOptions options;
      options.k = k;
      Recommendations recs = model.recommend(query, options);
      INFO("k " << k);
      REQUIRE(recs.items == twinRanking(expected, ru, k));
    }
  };
  for (int u = 0; u < twin.users(); ++u) {
    INFO("user " << u);
    Query query;
    query.user = u;
    compare(query, twin.R[static_cast<std::size_t>(u)], u);
  }
  for (int trial = 0; trial < 2; ++trial) {
    History history;
    int length = std::uniform_int_distribution<int>(0, items + 2)(rng);
    for (int e = 0; e < length; ++e) {
      history.items.push_back(std::uniform_int_distribution<int>(0, items - 1)(rng));
      history.values.push_back(0.5 * std::uniform_int_distribution<int>(1, 10)(rng));
    }
    Query query;
    query.history = &history;
    query.user = trial == 1 ? 0 : Query::kNoUser;
    INFO("fold-in trial " << trial << " length " << length);
    compare(query, denseRow(items, history.items, history.values), query.user);
  }
}

Dataset trainOf(const Dataset& full, const TrainTestSplit& split) {
  Dataset train = full;
  train.interactions = std::make_shared<Interactions>(split.train);
  return train;
}

std::vector<std::int32_t> recommendFor(const Recommender& model, std::int32_t user, int k = 10) {
  Query query;
  query.user = user;
  RecommendOptions options;
  options.k = k;
  return model.recommend(query, options).items;
}

}  // namespace

// ---- the notebook ------------------------------------------------------------------------------

TEST_CASE("user_knn reproduces the notebook on seed 42", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  UserKnn model({});
  model.fit(trainOf(full, split));
  CHECK(recommendFor(model, 2) == std::vector<std::int32_t>{25, 48, 32, 53, 6, 1, 56, 9, 0, 54});
  Evaluation e = evaluate(model, split.test, {});
  CHECK(e.users == 30);
  CHECK(e.mean.precision == Approx(11.0 / 300).margin(1e-12));  // printed 0.037
  CHECK(e.mean.recall == Approx(11.0 / 30).margin(1e-12));      // printed 0.367
}

TEST_CASE("item_knn reproduces the notebook on seed 42", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  ItemKnn model({});
  model.fit(trainOf(full, split));
  CHECK(recommendFor(model, 2) == std::vector<std::int32_t>{15, 3, 14, 23, 31, 45, 46, 52, 55, 42});
  Evaluation e = evaluate(model, split.test, {});
  CHECK(e.users == 30);
  CHECK(e.mean.precision == Approx(10.0 / 300).margin(1e-12));  // printed 0.033
  CHECK(e.mean.recall == Approx(10.0 / 30).margin(1e-12));      // printed 0.333
}

// ---- the brute-force twin ----------------------------------------------------------------------

TEST_CASE("user_knn equals its brute-force twin on random data", "[knn]") {
  for (std::uint32_t seed = 0; seed < 400; ++seed) {
    RandomData data = randomData(seed);
    Twin twin{denseMatrix(*data.data.interactions), randomOptions(seed, 30)};
    INFO("seed " << seed << " users " << data.users << " items " << data.items << " "
                 << describe(twin.o));
    UserKnn model(optionMapOf(twin.o, 30));
    model.fit(data.data);
    std::mt19937 rng(seed);
    checkAgainstTwin(model, twin, true, rng);
  }
}

TEST_CASE("item_knn equals its brute-force twin on random data", "[knn]") {
  for (std::uint32_t seed = 0; seed < 400; ++seed) {
    RandomData data = randomData(seed);
    Twin twin{denseMatrix(*data.data.interactions), randomOptions(seed, 50)};
    INFO("seed " << seed << " users " << data.users << " items " << data.items << " "
                 << describe(twin.o));
    ItemKnn model(optionMapOf(twin.o, 50));
    model.fit(data.data);
    std::mt19937 rng(seed);
    checkAgainstTwin(model, twin, false, rng);
  }
}

// Sparse ratings on a few levels, with users who rated many items at their best one: the data
// where a user's best-rated items alone decide a short top k (item_knn's shortcut), including
// users with more best-rated items than neighbours, candidates that must still be walked,
// bounded lists (the shortcut then marks the inverted lists), all-negative ratings, and rated
// items left among the candidates.
TEST_CASE("item_knn equals its twin where the best-rated items decide the top k", "[knn]") {
  for (std::uint32_t seed = 0; seed < 60; ++seed) {
    std::mt19937 rng(seed);
    auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int users = uniform(8, 30);
    const int items = uniform(15, 60);
    const double shift = seed % 7 == 3 ? -6.0 : 0.0;  // ratings -3 .. -1: similarities stay >= 0
    std::vector<std::int32_t> userOfRow;
    std::vector<std::int32_t> itemOfRow;
    std::vector<double> value;
    for (int u = 0; u < users; ++u) {
      const int count = uniform(2, 14);
      const bool generous = uniform(0, 2) == 0;  // mostly best ratings
      for (int r = 0; r < count; ++r) {
        userOfRow.push_back(u);
        itemOfRow.push_back(uniform(0, items - 1));
        value.push_back(shift + (generous && uniform(0, 3) > 0 ? 5.0 : 3.0 + 0.5 * uniform(0, 3)));
      }
    }
    Dataset data;
    data.interactions = std::make_shared<Interactions>(
        std::make_shared<IdMap>(IdMap::identity(users)),
        std::make_shared<IdMap>(IdMap::identity(items)), userOfRow, itemOfRow, value);
    TwinOptions o;
    const int neighbors[] = {1, 2, 3, 50};
    const int stored[] = {0, 0, 5};
    o.neighbors = neighbors[seed % 4];
    o.maxStored = stored[seed % 3];
    o.minOverlap = seed % 5 == 0 ? 1 : 2;
    Twin twin{denseMatrix(*data.interactions), o};
    INFO("seed " << seed << " users " << users << " items " << items << " " << describe(o));
    ItemKnn model(optionMapOf(o, 50));
    model.fit(data);
    checkAgainstTwin(model, twin, false, rng);
    // Seen items ranked too: each scores its rating.
    for (int u = 0; u < users; ++u) {
      const Row& ru = twin.R[static_cast<std::size_t>(u)];
      Row expected(static_cast<std::size_t>(items));
      std::vector<std::int32_t> order(static_cast<std::size_t>(items));
      for (int i = 0; i < items; ++i) {
        expected[static_cast<std::size_t>(i)] = twin.itemKnn(ru, i);
        order[static_cast<std::size_t>(i)] = i;
      }
      std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        return expected[static_cast<std::size_t>(a)] > expected[static_cast<std::size_t>(b)];
      });
      for (int k : {1, 3}) {
        Query query;
        query.user = u;
        RecommendOptions options;
        options.k = k;
        options.excludeSeen = false;
        INFO("user " << u << " k " << k << " seen items included");
        REQUIRE(model.recommend(query, options).items ==
                std::vector<std::int32_t>(order.begin(), order.begin() + k));
      }
    }
  }
}

// Over 65,536 / 5 items, every band in use (lists far longer than 21 entries for one neighbour):
// item_knn's push reaches its sums through 32-bit slots. Its top k must still be what the exact
// scores give, which scoreItems computes by walking each item's list, without a push.
TEST_CASE("item_knn ranks a catalogue beyond 16-bit push slots as its exact scores do", "[knn]") {
  constexpr int kUsers = 60;
  constexpr int kItems = 14000;
  std::mt19937 rng(11);
  std::vector<std::int32_t> userOfRow;
  std::vector<std::int32_t> itemOfRow;
  std::vector<double> value;
  for (int u = 0; u < kUsers; ++u) {
    for (int r = 0; r < 300; ++r) {
      userOfRow.push_back(u);
      itemOfRow.push_back(std::uniform_int_distribution<int>(0, kItems - 1)(rng));
      value.push_back(0.5 * std::uniform_int_distribution<int>(1, 10)(rng));
    }
  }
  Dataset data;
  data.interactions = std::make_shared<Interactions>(
      std::make_shared<IdMap>(IdMap::identity(kUsers)),
      std::make_shared<IdMap>(IdMap::identity(kItems)), userOfRow, itemOfRow, value);
  ItemKnn model(OptionMap{{"neighbors", 1.0}, {"minOverlap", 1.0}});
  model.fit(data);
  std::vector<std::int32_t> everyItem(kItems);
  for (int i = 0; i < kItems; ++i) everyItem[static_cast<std::size_t>(i)] = i;
  for (int u = 0; u < 8; ++u) {
    INFO("user " << u);
    Query query;
    query.user = u;
    const std::vector<double> exact =
        model.scoreItems(query, Span<std::int32_t>(everyItem.data(), everyItem.size()));
    const std::vector<std::int32_t> seen = data.interactions->historyOf(u);
    TopK expected(5);
    for (std::int32_t i : everyItem) {
      if (std::find(seen.begin(), seen.end(), i) == seen.end()) {
        expected.push(exact[static_cast<std::size_t>(i)], i);
      }
    }
    Recommendations wanted;
    expected.drainSorted(wanted.items, wanted.scores);
    RecommendOptions options;
    options.k = 5;
    const Recommendations got = model.recommend(query, options);
    CHECK(got.items == wanted.items);
    CHECK(got.scores == wanted.scores);
  }
}

// ---- explanations, similar items, fold-in, errors, snapshots -----------------------------------

namespace {

// user_knn's explanation, naively: each used neighbour's term s * (r_vi - mean_v) / sum |s|
// split over the co-rated items by their share of the Pearson numerator.
std::vector<Contribution> twinUserExplanation(const Twin& twin, int u, int item, int topN) {
  const Row& ru = twin.R[static_cast<std::size_t>(u)];
  std::vector<Neighbor> sims;
  for (int v = 0; v < twin.users(); ++v) {
    if (v == u || std::isnan(twin.R[static_cast<std::size_t>(v)][static_cast<std::size_t>(item)]))
      continue;
    double s = twinSimilarity(ru, twin.R[static_cast<std::size_t>(v)], true, twin.o);
    if (s != 0.0) sims.push_back({v, s});
  }
  sortByStrength(sims);
  if (sims.size() > static_cast<std::size_t>(twin.o.neighbors))
    sims.resize(static_cast<std::size_t>(twin.o.neighbors));
  double den = 0.0;
  for (const Neighbor& nb : sims) den += std::fabs(nb.s);
  std::vector<double> weight(ru.size(), 0.0);
  for (const Neighbor& nb : sims) {
    const Row& rv = twin.R[static_cast<std::size_t>(nb.id)];
    std::vector<std::size_t> at;
    Row x;
    Row y;
    for (std::size_t i = 0; i < ru.size(); ++i) {
      if (std::isnan(ru[i]) || std::isnan(rv[i])) continue;
      at.push_back(i);
      x.push_back(ru[i]);
      y.push_back(rv[i]);
    }
    const std::size_t n = x.size();
    double mx = numpySum(x.data(), n) / static_cast<double>(n);
    double my = numpySum(y.data(), n) / static_cast<double>(n);
    for (std::size_t k = 0; k < n; ++k) {
      x[k] -= mx;
      y[k] -= my;
    }
    double denom =
        std::sqrt(numpyDot(x.data(), x.data(), n)) * std::sqrt(numpyDot(y.data(), y.data(), n));
    double shrink = twin.o.shrinkage > 0
                        ? static_cast<double>(n) / (static_cast<double>(n) + twin.o.shrinkage)
                        : 1.0;
    double dev = rv[static_cast<std::size_t>(item)] - twinMean(rv);
    for (std::size_t k = 0; k < n; ++k) weight[at[k]] += x[k] * y[k] / denom * shrink * (dev / den);
  }
  std::vector<Contribution> out;
  for (std::size_t i = 0; i < weight.size(); ++i) {
    if (weight[i] > 0) out.push_back({static_cast<std::int32_t>(i), weight[i]});
  }
  std::stable_sort(out.begin(), out.end(), [](const Contribution& a, const Contribution& b) {
    return a.weight > b.weight;
  });
  if (out.size() > static_cast<std::size_t>(topN)) out.resize(static_cast<std::size_t>(topN));
  return out;
}

Dataset tinyRatings() {
  // users 0..3, items 0..4; user 3 rated nothing, item 4 was never rated.
  Dataset data;
  data.interactions = std::make_shared<Interactions>(
      std::make_shared<IdMap>(IdMap::identity(4)), std::make_shared<IdMap>(IdMap::identity(5)),
      std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 2, 2},
      std::vector<std::int32_t>{0, 1, 2, 0, 1, 3, 1, 2},
      std::vector<double>{5.0, 3.0, 4.0, 4.0, 2.0, 5.0, 1.0, 2.0});
  return data;
}

template <class Fn>
ErrorCode errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;  // "no error" in these checks
}

}  // namespace

TEST_CASE("user_knn explanations split each neighbour's term over the shared history", "[knn]") {
  for (std::uint32_t seed = 0; seed < 60; ++seed) {
    RandomData data = randomData(seed);
    TwinOptions o;
    o.neighbors = seed % 2 == 0 ? 30 : 2;
    o.shrinkage = seed % 3 == 0 ? 4.0 : 0.0;
    Twin twin{denseMatrix(*data.data.interactions), o};
    UserKnn model(optionMapOf(o, 30));
    model.fit(data.data);
    for (int u = 0; u < data.users; ++u) {
      for (int i = 0; i < data.items; ++i) {
        if (!std::isnan(twin.R[static_cast<std::size_t>(u)][static_cast<std::size_t>(i)])) continue;
        INFO("seed " << seed << " user " << u << " item " << i);
        Query query;
        query.user = u;
        std::vector<Contribution> got = model.explain(query, i, 4);
        std::vector<Contribution> expected = twinUserExplanation(twin, u, i, 4);
        REQUIRE(got.size() == expected.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
          CHECK(got[k].item == expected[k].item);
          CHECK(got[k].weight == Approx(expected[k].weight).margin(1e-12));
        }
      }
    }
  }
}

TEST_CASE("item_knn explanations are the prediction's terms over the user's history", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  ItemKnn model({});
  model.fit(trainOf(full, split));
  Query query;
  query.user = 2;
  std::vector<double> scores = model.score(query);
  std::vector<std::int32_t> history = split.train.historyOf(2);
  for (std::int32_t item : recommendFor(model, 2)) {
    std::vector<Contribution> why = model.explain(query, item, 100);
    REQUIRE_FALSE(why.empty());
    double total = 0.0;
    for (std::size_t k = 0; k < why.size(); ++k) {
      CHECK(std::find(history.begin(), history.end(), why[k].item) != history.end());
      if (k > 0) CHECK(why[k - 1].weight >= why[k].weight);
      total += why[k].weight;
    }
    // Positive similarities and ratings: the terms add up to the weighted mean.
    CHECK(total == Approx(scores[static_cast<std::size_t>(item)]).margin(1e-12));
    CHECK(model.explain(query, item, 2).size() == std::min<std::size_t>(2, why.size()));
  }
  // A rated item scores its rating: nothing explains it.
  CHECK(model.explain(query, history.front(), 3).empty());
}

TEST_CASE("item_knn similar items follow the similarities when exact or bounded", "[knn]") {
  for (std::uint32_t seed = 0; seed < 80; ++seed) {
    RandomData data = randomData(seed);
    TwinOptions o;
    o.neighbors = 50;
    o.maxStored = seed % 2 == 0 ? 0 : 2;
    Twin twin{denseMatrix(*data.data.interactions), o};
    ItemKnn model(optionMapOf(o, 50));
    model.fit(data.data);
    for (int i = 0; i < data.items; ++i) {
      std::vector<Neighbor> row;
      for (int j = 0; j < data.items; ++j) {
        if (j == i) continue;
        double s = twinSimilarity(twin.column(i), twin.column(j), false, o);
        if (s != 0.0) row.push_back({j, s});
      }
      sortByStrength(row);
      if (o.maxStored > 0 && row.size() > static_cast<std::size_t>(o.maxStored))
        row.resize(static_cast<std::size_t>(o.maxStored));
      std::vector<Neighbor> positive;
      for (const Neighbor& nb : row) {
        if (nb.s > 0) positive.push_back(nb);
      }
      std::stable_sort(positive.begin(), positive.end(), [](const Neighbor& a, const Neighbor& b) {
        return a.s > b.s || (a.s == b.s && a.id < b.id);
      });
      Recommendations got = model.similarItems(i, 3);
      INFO("seed " << seed << " item " << i);
      REQUIRE(got.items.size() == std::min<std::size_t>(3, positive.size()));
      for (std::size_t k = 0; k < got.items.size(); ++k) {
        CHECK(got.items[k] == positive[k].id);
        CHECK(got.scores[k] == positive[k].s);
      }
    }
  }
}

TEST_CASE("kNN models answer unknown users and bad k or options with typed errors", "[knn]") {
  for (const char* kind : {"user_knn", "item_knn"}) {
    INFO(kind);
    std::unique_ptr<Recommender> model = createRecommender(kind, {});
    Query user0;
    user0.user = 0;
    CHECK(errorOf([&] { model->recommend(user0, {}); }) == ErrorCode::kNotFitted);
    CHECK(errorOf([&] { model->fit(Dataset{std::make_shared<Interactions>()}); }) ==
          ErrorCode::kInvalidArgument);
    CHECK_FALSE(model->isFitted());
    model->fit(tinyRatings());
    Recommendations before = model->recommend(user0, {});
    // Empty training data never replaces a fitted state.
    CHECK(errorOf([&] { model->fit(Dataset{std::make_shared<Interactions>()}); }) ==
          ErrorCode::kInvalidArgument);
    CHECK(model->recommend(user0, {}).items == before.items);

    RecommendOptions options;
    options.k = 0;
    CHECK(errorOf([&] { model->recommend(user0, options); }) == ErrorCode::kInvalidArgument);
    options.k = -3;
    CHECK(errorOf([&] { model->recommend(user0, options); }) == ErrorCode::kInvalidArgument);
    options.k = 1000;  // larger than the catalogue: every unseen item, ranked
    CHECK(model->recommend(user0, options).items.size() == 2);
    Query stranger;
    stranger.user = 17;
    CHECK(errorOf([&] { model->recommend(stranger, {}); }) == ErrorCode::kUnknownUser);
    CHECK(errorOf([&] { model->recommend(Query{}, {}); }) == ErrorCode::kUnknownUser);
    // A user without training ratings: nanmean_safe gives 0, so every prediction is 0 and the
    // ranking is by item id (the notebook's behaviour).
    Query empty;
    empty.user = 3;
    options.k = 5;
    Recommendations none = model->recommend(empty, options);
    CHECK(none.items == std::vector<std::int32_t>{0, 1, 2, 3, 4});
    CHECK(none.scores == std::vector<double>(5, 0.0));
    History bad{{9}, {}};
    Query badHistory;
    badHistory.history = &bad;
    CHECK(errorOf([&] { model->recommend(badHistory, {}); }) == ErrorCode::kUnknownItem);

    CHECK(errorOf([&] {
            createRecommender(kind, {{"neighbors", 0.0}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"neighbors", 2.5}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"minOverlap", 0.0}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"shrinkage", -1.0}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"maxStoredNeighbors", -1.0}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"implicit", 1.0}});
          }) == ErrorCode::kInvalidArgument);
    CHECK(errorOf([&] {
            createRecommender(kind, {{"k_neighbors", 3.0}});
          }) == ErrorCode::kInvalidArgument);
  }
  UserKnn users({});
  users.fit(tinyRatings());
  CHECK(errorOf([&] { users.similarItems(0, 3); }) == ErrorCode::kUnsupported);
}

TEST_CASE("option errors write the value and the range to 15 significant digits", "[knn]") {
  auto messageOf = [](double shrinkage) {
    try {
      createRecommender("user_knn", {{"shrinkage", shrinkage}});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string prefix =
      "user_knn option 'shrinkage' must be a finite number in [0, 1000000000000], got ";
  CHECK(messageOf(-0.25) == prefix + "-0.25");
  CHECK(messageOf(-3.0) == prefix + "-3");
  CHECK(messageOf(-1234.56789) == prefix + "-1234.56789");
  CHECK(messageOf(-4294967295.5) == prefix + "-4294967295.5");
  CHECK(messageOf(-(0.1 + 0.2)) == prefix + "-0.3");  // 0.30000000000000004
  CHECK(messageOf(-0.000123) == prefix + "-0.000123");
  CHECK(messageOf(-1.5e-7) == prefix + "-1.5e-7");
  CHECK(messageOf(1e12 + 0.5) == prefix + "1000000000000.5");
  CHECK(messageOf(2.5e20) == prefix + "2.5e20");
  CHECK(messageOf(-0.9999999999999999) == prefix + "-1");  // rounds up to the next exponent
  CHECK(messageOf(-5e-324) == prefix + "-4.94065645841247e-324");
  CHECK(messageOf(std::numeric_limits<double>::infinity()) == prefix + "Infinity");
}

TEST_CASE("kNN fold-in recommends for a new user from a history", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  for (const char* kind : {"user_knn", "item_knn"}) {
    INFO(kind);
    std::unique_ptr<Recommender> model = createRecommender(kind, {});
    model->fit(trainOf(full, split));
    // User 2's own training history, folded in as a stranger, gives user 2's list (user_knn
    // compares it with every stored user, user 2's stored row included, which has s = 1 and is
    // therefore the strongest neighbour; so only item_knn is identical).
    History history;
    for (std::int32_t row : split.train.rowsOfUser(2)) {
      history.items.push_back(split.train.itemOfRow()[static_cast<std::size_t>(row)]);
      history.values.push_back(split.train.values()[static_cast<std::size_t>(row)]);
    }
    Query stranger;
    stranger.history = &history;
    Recommendations folded = model->recommend(stranger, {});
    CHECK(folded.items.size() == 10);
    if (std::string(kind) == "item_knn") CHECK(folded.items == recommendFor(*model, 2));
    // The same history for user 2 itself excludes user 2's stored row: identical to the
    // stored neighbourhood for both models.
    Query self;
    self.user = 2;
    self.history = &history;
    CHECK(model->recommend(self, {}).items == recommendFor(*model, 2));
    CHECK(model->score(self) == model->score(Query{2, nullptr}));
  }
}

TEST_CASE("kNN snapshots restore identical scores", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  for (const char* kind : {"user_knn", "item_knn"}) {
    for (const OptionMap& options :
         {OptionMap{}, OptionMap{{"implicit", true}, {"maxStoredNeighbors", 5.0}},
          OptionMap{{"shrinkage", 3.0}, {"minOverlap", 3.0}, {"neighbors", 4.0}}}) {
      INFO(kind << " with " << options.size() << " options");
      std::unique_ptr<Recommender> model = createRecommender(kind, options);
      model->fit(full);
      std::vector<std::uint8_t> bytes = model->save();
      std::unique_ptr<Recommender> loaded = loadRecommender(bytes);
      CHECK(loaded->kind() == kind);
      CHECK(loaded->options() == model->options());
      for (std::int32_t u = 0; u < full.interactions->numUsers(); ++u) {
        Query query;
        query.user = u;
        REQUIRE(loaded->score(query) == model->score(query));
      }
      std::vector<std::uint8_t> corrupt = bytes;
      corrupt[corrupt.size() / 2] ^= 0x5a;
      CHECK(errorOf([&] { loadRecommender(corrupt); }) == ErrorCode::kCorruptSnapshot);
    }
  }
}

TEST_CASE("kNN options change the model as documented", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  Dataset train = trainOf(full, split);
  Query user2;
  user2.user = 2;
  for (const char* kind : {"user_knn", "item_knn"}) {
    INFO(kind);
    auto plain = createRecommender(kind, {});
    plain->fit(train);
    CHECK(plain->predictsRatings());
    auto implicit = createRecommender(kind, {{"implicit", true}});
    implicit->fit(train);
    CHECK_FALSE(implicit->predictsRatings());
    // Implicit scores are sums of similarities: non-negative, and rated items are scored too.
    std::vector<double> scores = implicit->score(user2);
    for (double s : scores) CHECK(s >= 0.0);
    auto shrunk = createRecommender(kind, {{"shrinkage", 10.0}});
    shrunk->fit(train);
    CHECK(shrunk->score(user2) != plain->score(user2));
    auto strict = createRecommender(kind, {{"minOverlap", 1000.0}});
    strict->fit(train);
    // No similarity survives: every unrated item gets the user's mean.
    std::vector<double> means = strict->score(user2);
    std::vector<std::int32_t> history = train.interactions->historyOf(2);
    double mean = notebookNanMean(train.interactions->userItemRatings().indicesOf(2),
                                  train.interactions->userItemRatings().valuesOf(2), 60);
    for (std::int32_t i = 0; i < 60; ++i) {
      if (std::find(history.begin(), history.end(), i) == history.end()) {
        CHECK(means[static_cast<std::size_t>(i)] == mean);
      }
    }
  }
}

TEST_CASE("kNN recommend filters seen items and honours exclude and allow lists", "[knn]") {
  Dataset full = demoDataset(generateDemoData({}));
  for (const char* kind : {"user_knn", "item_knn"}) {
    INFO(kind);
    std::unique_ptr<Recommender> model = createRecommender(kind, {});
    model->fit(full);
    Query query;
    query.user = 4;
    std::vector<double> scores = model->score(query);
    std::vector<std::int32_t> history = full.interactions->historyOf(4);
    // Everything, seen items included (scored by their ratings): the full ranking of score().
    RecommendOptions all;
    all.k = 60;
    all.excludeSeen = false;
    Recommendations ranked = model->recommend(query, all);
    REQUIRE(ranked.items.size() == 60);
    for (std::size_t k = 0; k < ranked.items.size(); ++k) {
      CHECK(ranked.scores[k] == scores[static_cast<std::size_t>(ranked.items[k])]);
      if (k > 0) {
        CHECK(TopK::better(ranked.scores[k - 1], ranked.items[k - 1], ranked.scores[k],
                           ranked.items[k]));
      }
    }
    // Allow and exclude lists filter that same ranking.
    RecommendOptions some;
    some.k = 5;
    some.restrictToAllow = true;
    some.allow = {history[0], 1, 2, 3, 50, 51, 52};
    some.exclude = {2};
    Recommendations filtered = model->recommend(query, some);
    std::vector<std::int32_t> expected;
    for (std::int32_t item : ranked.items) {
      bool allowed = std::find(some.allow.begin(), some.allow.end(), item) != some.allow.end();
      bool seen = std::find(history.begin(), history.end(), item) != history.end();
      if (allowed && !seen && item != 2 && expected.size() < 5) expected.push_back(item);
    }
    CHECK(filtered.items == expected);
  }
}
