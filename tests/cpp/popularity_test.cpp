#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/popularity.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

Dataset trainOf(const Dataset& full, TrainTestSplit& split) {
  Dataset train = full;
  train.interactions = std::make_shared<Interactions>(split.train);
  return train;
}

}  // namespace

TEST_CASE("popularity ranks by training count, ties to the lower item id", "[popularity]") {
  auto users = std::make_shared<IdMap>(IdMap::identity(3));
  auto items = std::make_shared<IdMap>(IdMap::identity(5));
  Dataset data;
  // item 3: 3 rows, items 1 and 4: 2 rows each, item 0: 1 row, item 2: never.
  data.interactions = std::make_shared<Interactions>(
      users, items, std::vector<std::int32_t>{0, 0, 1, 1, 2, 2, 2, 0},
      std::vector<std::int32_t>{3, 4, 3, 1, 3, 4, 1, 0}, std::vector<double>(8, 1.0));
  Popularity model({});
  model.fit(data);
  Query query;
  query.user = 2;  // saw 3, 4, 1
  RecommendOptions options;
  options.k = 10;
  Recommendations recs = model.recommend(query, options);
  CHECK(recs.items == std::vector<std::int32_t>{0});  // item 2 never occurred: not ranked
  options.excludeSeen = false;
  recs = model.recommend(query, options);
  CHECK(recs.items == std::vector<std::int32_t>{3, 1, 4, 0});
  CHECK(recs.scores == std::vector<double>{3, 2, 2, 1});
}

TEST_CASE("popularity on the notebook data gives P@10 0.037 and R@10 0.367", "[popularity]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  Popularity model({});
  model.fit(trainOf(full, split));
  Evaluation e = evaluate(model, split.test, {});
  CHECK(e.users == 30);
  CHECK(e.mean.precision == Approx(0.11 / 3).margin(1e-12));
  CHECK(e.mean.recall == Approx(11.0 / 30).margin(1e-12));
}
