#include <catch2/catch.hpp>

#include <cmath>

#include "recwasm/error.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/popularity.h"

using namespace recwasm;

namespace {

// Train: user 0 {0, 1}, user 1 {0, 2}, user 2 {1}; user 3 has no training rows.
// Test: user 0 -> 2, user 1 -> 1, user 2 -> 3, user 3 -> 4. Five items; 3 and 4 never trained.
struct Fixture {
  Interactions full{std::make_shared<IdMap>(IdMap::identity(4)),
                    std::make_shared<IdMap>(IdMap::identity(5)),
                    {0, 0, 1, 1, 2, 0, 1, 2, 3},
                    {0, 1, 0, 2, 1, 2, 1, 3, 4},
                    {5, 4, 3, 2, 1, 5, 4, 3, 2}};
  Interactions train = full.selectRows({0, 1, 2, 3, 4});
  Interactions test = full.selectRows({5, 6, 7, 8});
  Popularity model{{}};

  Fixture() {
    Dataset data;
    data.interactions = std::make_shared<Interactions>(train);
    model.fit(data);
  }
};

}  // namespace

TEST_CASE("evaluation follows the notebook protocol (seen = train, relevant = test)",
          "[evaluation]") {
  Fixture f;
  EvaluationOptions options;
  options.k = 2;
  options.keepRecommendations = true;
  Evaluation e = evaluate(f.model, f.test, options);
  // Popularity order 0, 1 (2 rows each), 2. User 0 gets [2] (hit), user 1 [1] (hit),
  // user 2 [0, 2] (miss), user 3 (no train rows, evaluated all the same) [0, 1] (miss).
  CHECK(e.users == 4);
  CHECK(e.mean.precision == Approx((0.5 + 0.5) / 4));
  CHECK(e.mean.recall == Approx(2.0 / 4));
  CHECK(e.mean.hitRate == Approx(0.5));
  CHECK(e.mean.mrr == Approx(0.5));
  CHECK(e.mean.ndcg == Approx(0.5));
  CHECK(e.mean.map == Approx(0.5));
  CHECK(e.coverage == Approx(3.0 / 5));  // items 0, 1, 2 of a catalogue of 5
  CHECK(std::isnan(e.rmse));             // popularity predicts no ratings
  CHECK(e.milliseconds >= 0);
  REQUIRE(e.perUser.size() == 4);
  CHECK(e.perUser[0].recommendations.items == std::vector<std::int32_t>{2});
  CHECK(e.perUser[2].user == 2);
  CHECK(e.perUser[2].recommendations.items == std::vector<std::int32_t>{0, 2});
  CHECK(e.perUser[2].recommendations.scores == std::vector<double>{2, 1});
  CHECK(e.perUser[3].recommendations.items == std::vector<std::int32_t>{0, 1});
}

TEST_CASE("evaluation restricted to candidate items (the notebook's n_items rule)",
          "[evaluation]") {
  Fixture f;
  EvaluationOptions options;
  options.k = 2;
  options.restrictToCandidates = true;
  options.candidates = {0, 1, 3};
  Evaluation e = evaluate(f.model, f.test, options);
  // User 0 (seen 0, 1) gets nothing, user 1 [1] (hit), user 2 [0], user 3 [0, 1].
  CHECK(e.mean.precision == Approx(0.5 / 4));
  CHECK(e.mean.recall == Approx(1.0 / 4));
  CHECK(e.coverage == Approx(2.0 / 5));
  options.candidates = {7};
  CHECK_THROWS_AS(evaluate(f.model, f.test, options), Error);
}

TEST_CASE("evaluation rejects bad k and a test table from another catalogue", "[evaluation]") {
  Fixture f;
  EvaluationOptions options;
  options.k = 0;
  CHECK_THROWS_AS(evaluate(f.model, f.test, options), Error);
  Interactions other(std::make_shared<IdMap>(IdMap::identity(4)),
                     std::make_shared<IdMap>(IdMap::identity(6)), {0}, {5}, {1.0});
  try {
    evaluate(f.model, other, {});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
  }
}
