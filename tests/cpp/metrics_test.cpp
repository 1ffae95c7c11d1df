#include <catch2/catch.hpp>

#include <cmath>

#include "recwasm/error.h"
#include "recwasm/metrics.h"

using namespace recwasm;

namespace {

bool throwsInvalidArgument(void (*f)()) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() == ErrorCode::kInvalidArgument;
  }
  return false;
}

}  // namespace

TEST_CASE("ranking metrics of a short list with two hits, by hand", "[metrics]") {
  // Four items returned for k = 5; relevant {3, 1, 7}; hits at ranks 2 and 4.
  std::vector<std::int32_t> ranked = {5, 3, 9, 1};
  RankingMetrics m = rankingMetrics(ranked, {3, 1, 7}, 5);
  CHECK(m.precision == Approx(2.0 / 5));  // k, not the 4 items returned
  CHECK(m.recall == Approx(2.0 / 3));
  CHECK(m.hitRate == 1.0);
  CHECK(m.mrr == Approx(1.0 / 2));
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(5.0);
  const double idcg = 1 + 1 / std::log2(3.0) + 1 / std::log2(4.0);  // min(3, k) ideal hits
  CHECK(m.ndcg == Approx(dcg / idcg));
  CHECK(m.ndcg == Approx(0.4981906));
  CHECK(m.map == Approx((1.0 / 2 + 2.0 / 4) / 3));  // precision at each hit / min(k, |rel|)
}

TEST_CASE("ranking metrics only count the first k items", "[metrics]") {
  std::vector<std::int32_t> ranked = {1, 2, 3, 4};
  RankingMetrics m = rankingMetrics(ranked, {4}, 3);
  CHECK(m.precision == 0);
  CHECK(m.recall == 0);
  CHECK(m.ndcg == 0);
  CHECK(m.hitRate == 0);
  CHECK(m.mrr == 0);
  CHECK(m.map == 0);
  m = rankingMetrics(ranked, {4}, 4);
  CHECK(m.precision == Approx(0.25));
  CHECK(m.recall == 1);
  CHECK(m.ndcg == Approx(1 / std::log2(5.0)));
  CHECK(m.mrr == Approx(0.25));
  CHECK(m.map == Approx(0.25));
}

TEST_CASE("ranking metrics: the notebook's leave-one-out case and degenerate inputs", "[metrics]") {
  // One relevant item found first: every metric is 1 except precision = 1/k.
  std::vector<std::int32_t> ranked = {7, 8, 9};
  RankingMetrics m = rankingMetrics(ranked, {7, 7}, 10);  // duplicates count once, like a set
  CHECK(m.precision == Approx(0.1));
  CHECK(m.recall == 1);
  CHECK(m.ndcg == Approx(1));
  CHECK(m.hitRate == 1);
  CHECK(m.mrr == 1);
  CHECK(m.map == 1);
  // No relevant items: recall divides by max(1, 0), nothing is a hit.
  m = rankingMetrics(ranked, {}, 10);
  CHECK(m.recall == 0);
  CHECK(m.ndcg == 0);
  CHECK(m.map == 0);
  // Nothing recommended.
  m = rankingMetrics(Span<std::int32_t>(), {1}, 10);
  CHECK(m.precision == 0);
  CHECK(m.recall == 0);
  CHECK(throwsInvalidArgument([] { rankingMetrics(Span<std::int32_t>(), {1}, 0); }));
}

TEST_CASE("RMSE and MAE by hand", "[metrics]") {
  std::vector<double> predicted = {1, 2, 3};
  std::vector<double> truth = {2, 2, 5};
  CHECK(rootMeanSquaredError(predicted, truth) == Approx(std::sqrt(5.0 / 3)));
  CHECK(meanAbsoluteError(predicted, truth) == Approx(1.0));
  CHECK(std::isnan(rootMeanSquaredError(Span<double>(), Span<double>())));
  CHECK(std::isnan(meanAbsoluteError(Span<double>(), Span<double>())));
  CHECK(throwsInvalidArgument([] {
    std::vector<double> a = {1}, b = {1, 2};
    rootMeanSquaredError(a, b);
  }));
  CHECK(throwsInvalidArgument([] {
    std::vector<double> a = {1}, b = {1, 2};
    meanAbsoluteError(a, b);
  }));
}
