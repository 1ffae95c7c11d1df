// The pieces mf and two_tower share: the seeded random source, the deterministic math, the
// float kernels, the optimizer step and the sampling helpers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "recwasm/det_math.h"
#include "recwasm/kernels.h"
#include "recwasm/models/embedding_training.h"
#include "recwasm/random.h"

using namespace recwasm;

TEST_CASE("Random reproduces xoshiro256** seeded by SplitMix64", "[learned]") {
  // Reference values from an independent Python implementation of the two algorithms.
  Random a(42, 0);
  CHECK(a.next() == 0x1ff785474f113b15ull);
  CHECK(a.next() == 0x4b7867ceff5d8325ull);
  CHECK(a.next() == 0x90ca7a95a9909966ull);
  Random b(42, 1);
  CHECK(b.next() == 0x584870a53e6ddcdfull);
  CHECK(b.next() == 0x24862b58ab088c44ull);
  Random c(7, 3);
  std::vector<std::uint32_t> draws;
  for (int i = 0; i < 8; ++i) draws.push_back(c.below(10));
  CHECK(draws == std::vector<std::uint32_t>{4, 1, 9, 0, 4, 6, 8, 0});
  Random d(5, 0);
  CHECK(d.unitFloat() == 0.8413370251655579f);
  CHECK(d.unitFloat() == 0.7160034775733948f);
}

TEST_CASE("Random draws stay in range and look uniform", "[learned]") {
  Random rng(1, 0);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    std::uint32_t x = rng.below(7);
    REQUIRE(x < 7);
    ++counts[x];
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);  // ~5 standard deviations
  for (int i = 0; i < 1000; ++i) {
    float u = rng.uniform(-0.05f, 0.05f);
    REQUIRE(u >= -0.05f);
    REQUIRE(u < 0.05f);
  }
  std::vector<int> v(50);
  std::iota(v.begin(), v.end(), 0);
  rng.shuffle(v.data(), v.size());
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted[0] == 0);
  CHECK(sorted[49] == 49);
  CHECK(v != sorted);
}

TEST_CASE("deterministic exp, log and log1p agree with libm", "[learned]") {
  for (double x = -740; x <= 709; x += 0.37) {
    const double want = std::exp(x);
    // Subnormal results carry fewer bits; allow them one unit of the smallest subnormal.
    CHECK(std::fabs(detmath::exp(x) - want) <= 4e-16 * want + 5e-324);
  }
  for (double x : {0.0, 1e-300, -1e-20, 0.5, -0.5, 1.0, 88.7}) {
    CHECK(std::fabs(detmath::exp(x) - std::exp(x)) <= 4e-16 * std::exp(x));
  }
  CHECK(detmath::exp(710) == HUGE_VAL);
  CHECK(detmath::exp(-800) == 0.0);
  for (double x = 1e-300; x < 1e300; x *= 3.7) {
    CHECK(std::fabs(detmath::log(x) - std::log(x)) <= 4e-16 * std::fabs(std::log(x)) + 1e-300);
  }
  CHECK(detmath::log(1.0) == 0.0);
  CHECK(std::isnan(detmath::log(-1.0)));
  for (double x : {0.0, 1e-30, 1e-8, 0.001, 0.3, 0.5, 0.7, 1.0, 20.0}) {
    CHECK(std::fabs(detmath::log1p(x) - std::log1p(x)) <= 4e-16 * std::log1p(x));
  }
  for (double x = -700; x < 700; x += 0.77) {
    CHECK(std::fabs(detmath::expShort(x) - std::exp(x)) <= 1e-9 * std::exp(x));
  }
  for (double x : {-30.0, -2.0, 0.0, 0.1, 3.0, 40.0}) {
    for (double z : {0.0, 1.0}) {
      const detmath::Logistic l = detmath::logistic(x, z);
      CHECK(l.probability == Approx(1 / (1 + std::exp(-x))).epsilon(1e-9));
      CHECK(l.loss ==
            Approx(std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::fabs(x)))).epsilon(1e-9));
    }
    CHECK(detmath::sigmoid(x) == Approx(1 / (1 + std::exp(-x))).epsilon(1e-15));
    CHECK(detmath::sigmoidCrossEntropy(x, 1) == Approx(std::log1p(std::exp(-x))).epsilon(1e-13));
    CHECK(detmath::sigmoidCrossEntropy(x, 0) == Approx(std::log1p(std::exp(x))).epsilon(1e-13));
  }
}

TEST_CASE("dot sums four lanes in a fixed order", "[learned]") {
  std::vector<float> a(12), b(12);
  for (int i = 0; i < 12; ++i) {
    a[i] = 1.0f / static_cast<float>(i + 3);
    b[i] = static_cast<float>(i) * 0.37f - 1.1f;
  }
  float lanes[4] = {0, 0, 0, 0};
  for (int i = 0; i < 12; ++i) lanes[i % 4] += a[i] * b[i];
  CHECK(kernels::dot(a.data(), b.data(), 12) == (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]));
}

TEST_CASE("matmul adds each output's products in order, plain or transposed", "[learned]") {
  // 6 x 5 times 5 x 12 (pitched rows): whole tiles of 4 rows and 8 columns and the leftovers.
  const int m = 6, k = 5, p = 12, lda = 7, ldb = 13, ldc = 14;
  std::vector<float> a(m * lda), at(k * (m + 1)), b(k * ldb), c(m * ldc, 9.0f);
  for (int i = 0; i < m; ++i) {
    for (int t = 0; t < k; ++t) {
      a[i * lda + t] = 1.0f / static_cast<float>(i + 2 * t + 3);
      at[t * (m + 1) + i] = a[i * lda + t];
    }
  }
  for (int t = 0; t < k; ++t) {
    for (int j = 0; j < p; ++j) b[t * ldb + j] = static_cast<float>(j - 2 * t) * 0.37f - 0.2f;
  }
  auto expected = [&](int i, int j, float start) {
    float sum = start;
    for (int t = 0; t < k; ++t) sum += a[i * lda + t] * b[t * ldb + j];
    return sum;
  };
  kernels::matmul(a.data(), lda, b.data(), ldb, c.data(), ldc, m, k, p, false);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < p; ++j) CHECK(c[i * ldc + j] == expected(i, j, 0.0f));
    CHECK(c[i * ldc + p] == 9.0f);  // nothing beyond p columns is written
  }
  std::vector<float> c2(m * ldc, 0.5f);
  kernels::matmul<true>(at.data(), m + 1, b.data(), ldb, c2.data(), ldc, m, k, p, true);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < p; ++j) CHECK(c2[i * ldc + j] == expected(i, j, 0.5f));
  }
}

TEST_CASE("the Adam kernel follows Keras' update", "[learned]") {
  const int n = 8;
  std::vector<float> w(n), m(n), v(n), g(n);
  for (int i = 0; i < n; ++i) {
    w[i] = 0.1f * static_cast<float>(i) - 0.3f;
    m[i] = 0.01f * static_cast<float>(i);
    v[i] = 0.001f * static_cast<float>(i);
    g[i] = 0.5f - 0.2f * static_cast<float>(i);
  }
  TrainingOptions options;
  options.l2 = 0.1;
  Optimizer optimizer(options, UpdateMode::kDense);
  optimizer.beginStep();
  optimizer.beginStep();  // t = 2
  const double alpha = 0.01 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
  CHECK(optimizer.adamStep().alpha == Approx(alpha).epsilon(1e-6));
  std::vector<float> w0 = w, m0 = m, v0 = v;
  const float delta =
      kernels::adam(w.data(), m.data(), v.data(), g.data(), n, optimizer.adamStep(), true);
  double squaresBefore = 0, squaresAfter = 0;
  for (int i = 0; i < n; ++i) {
    squaresBefore += double(w0[i]) * w0[i];
    squaresAfter += double(w[i]) * w[i];
  }
  CHECK(delta == Approx(squaresAfter - squaresBefore).epsilon(1e-5));
  for (int i = 0; i < n; ++i) {
    const double gi = g[i] + 0.1 * w0[i];
    const double mi = 0.9 * m0[i] + 0.1 * gi;
    const double vi = 0.999 * v0[i] + 0.001 * gi * gi;
    CHECK(m[i] == Approx(mi).epsilon(1e-5).margin(1e-9));
    CHECK(v[i] == Approx(vi).epsilon(1e-5).margin(1e-9));
    CHECK(w[i] == Approx(w0[i] - alpha * mi / (std::sqrt(vi) + 1e-7)).epsilon(1e-5).margin(1e-7));
  }
}

TEST_CASE("lazy updates touch only the batch's rows, dense ones every row", "[learned]") {
  TrainingOptions options;
  for (UpdateMode mode : {UpdateMode::kLazy, UpdateMode::kDense}) {
    FloatMatrix values(3, 4);
    for (int r = 0; r < 3; ++r) std::fill_n(values.row(r), 4, 1.0f);
    TrainableTable table(values, OptimizerKind::kAdam, 3);
    table.recomputeNorm();
    CHECK(table.halfSquaredNorm() == 6.0);
    Optimizer optimizer(options, mode);
    // Step 1 moves row 0; step 2 has a gradient for row 1 only.
    optimizer.beginStep();
    table.gradient(table.slot(0))[0] = 1.0f;
    table.applyStep(optimizer, true);
    const float row0 = table.values().row(0)[0];
    optimizer.beginStep();
    table.gradient(table.slot(1))[0] = 1.0f;
    table.applyStep(optimizer, true);
    CHECK(table.halfSquaredNorm() == Approx(table.values().halfSquaredNorm()).epsilon(1e-6));
    CHECK(table.values().row(2)[0] == 1.0f);  // never had a gradient nor momentum
    CHECK(table.values().row(1)[0] < 1.0f);
    if (mode == UpdateMode::kLazy) {
      CHECK(table.values().row(0)[0] == row0);
    } else {
      CHECK(table.values().row(0)[0] < row0);  // Keras: momentum keeps moving row 0
    }
    CHECK(table.values().row(0)[1] == 1.0f);  // padding-free columns without gradient stay
  }
}

TEST_CASE("auto updates are dense for small tables and lazy for large ones", "[learned]") {
  TrainingOptions options;
  CHECK(options.resolveUpdates(90) == UpdateMode::kDense);
  CHECK(options.resolveUpdates(1024) == UpdateMode::kDense);
  CHECK(options.resolveUpdates(1025) == UpdateMode::kLazy);
  options.updates = "dense";
  CHECK(options.resolveUpdates(1 << 20) == UpdateMode::kDense);
  options.updates = "lazy";
  CHECK(options.resolveUpdates(10) == UpdateMode::kLazy);
}

TEST_CASE("a shuffle buffer emits a permutation that only looks ahead by its size", "[learned]") {
  Random rng(3, 0);
  for (std::size_t buffer : {std::size_t{0}, std::size_t{5}, std::size_t{1000}}) {
    std::vector<std::uint32_t> order = bufferedShuffleOrder(200, buffer, rng);
    std::vector<std::uint32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (std::uint32_t i = 0; i < 200; ++i) REQUIRE(sorted[i] == i);
    if (buffer == 5) {
      // Position j can only hold one of the first j + 5 inputs.
      for (std::size_t j = 0; j < order.size(); ++j) REQUIRE(order[j] < j + 5);
    }
  }
}

TEST_CASE("validation rows are a fixed share, never all rows", "[learned]") {
  Random rng(4, 0);
  auto flags = chooseValidationRows(100, 0.2, rng);
  CHECK(std::count(flags.begin(), flags.end(), 1) == 20);
  flags = chooseValidationRows(3, 0.9, rng);
  CHECK(std::count(flags.begin(), flags.end(), 1) == 2);
  flags = chooseValidationRows(100, 0.0, rng);
  CHECK(std::count(flags.begin(), flags.end(), 1) == 0);
}

TEST_CASE("distinct pairs keep the first occurrence, in row order", "[learned]") {
  auto users = std::make_shared<IdMap>(IdMap::identity(3));
  auto items = std::make_shared<IdMap>(IdMap::identity(4));
  Interactions data(users, items, {0, 1, 0, 2, 1, 0}, {3, 1, 3, 0, 1, 2},
                    std::vector<double>(6, 1.0));
  UserItemPairs pairs = distinctPairs(data);
  CHECK(pairs.users == std::vector<std::int32_t>{0, 1, 2, 0});
  CHECK(pairs.items == std::vector<std::int32_t>{3, 1, 0, 2});
}
