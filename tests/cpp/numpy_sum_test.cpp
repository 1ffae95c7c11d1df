#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "recwasm/numpy_sum.h"

using namespace recwasm;

namespace {

// a[k] = 0.1 * (k % 7) + 1e-3 * k + 1 / (k + 3), as numpy computes it elementwise.
std::vector<double> ramp(std::size_t n) {
  std::vector<double> a(n);
  for (std::size_t k = 0; k < n; ++k) {
    double kd = static_cast<double>(k);
    a[k] = 0.1 * static_cast<double>(k % 7) + 1e-3 * kd + 1.0 / (kd + 3.0);
  }
  return a;
}

double sequentialSum(const std::vector<double>& a) {
  double s = 0.0;
  for (double x : a) s += x;
  return s;
}

}  // namespace

TEST_CASE("numpySum equals numpy's np.sum bit for bit", "[numpy]") {
  // float(np.sum(a)).hex() from Debian's numpy 1.24 for the ramp above.
  struct Case {
    std::size_t n;
    double numpy;
  };
  const Case cases[] = {
      {5, 0x1.0d2a6c405d9f7p+1},    {8, 0x1.c74abc59da189p+1},   {13, 0x1.5fc237404fb6ep+2},
      {128, 0x1.8fd00f1e9b462p+5},  {129, 0x1.927f6fc8331f8p+5}, {300, 0x1.16adb86375991p+7},
      {1000, 0x1.9297fef26fc69p+9},
  };
  for (const Case& c : cases) {
    std::vector<double> a = ramp(c.n);
    INFO("n = " << c.n);
    CHECK(numpySum(a.data(), a.size()) == c.numpy);
    if (c.n >= 8) CHECK(sequentialSum(a) != c.numpy);  // the grouping matters
  }
}

TEST_CASE("numpySumOfSparseRow and notebookNanMean follow the dense row's positions", "[numpy]") {
  // row[p] = 1 / (p + 1) + 0.37 * (p % 5) where p % 3 == 0 or p % 11 == 0, NaN elsewhere, 300
  // long: np.nanmean(row) differs from both a plain loop and np.mean of the 118 values.
  std::vector<std::int32_t> positions;
  std::vector<double> values;
  std::vector<double> dense(300, 0.0);
  for (std::int32_t p = 0; p < 300; ++p) {
    if (p % 3 != 0 && p % 11 != 0) continue;
    double v = 1.0 / (p + 1.0) + 0.37 * static_cast<double>(p % 5);
    positions.push_back(p);
    values.push_back(v);
    dense[static_cast<std::size_t>(p)] = v;
  }
  REQUIRE(values.size() == 118);
  CHECK(notebookNanMean(positions, values, 300) == 0x1.825de7e572f7cp-1);
  CHECK(numpySum(values.data(), values.size()) / 118.0 == 0x1.825de7e572f7dp-1);
  CHECK(numpySumOfSparseRow(positions, values, 300) == numpySum(dense.data(), dense.size()));
  CHECK(notebookNanMean({}, {}, 300) == 0.0);

  // Every length and sparsity pattern agrees with the dense sum.
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 127u, 128u, 129u, 136u, 257u, 1000u}) {
    for (std::size_t stride : {1u, 2u, 3u, 7u, 8u, 13u}) {
      std::vector<std::int32_t> pos;
      std::vector<double> val;
      std::vector<double> row(length, 0.0);
      for (std::size_t p = stride / 2; p < length; p += stride) {
        double v = std::sin(static_cast<double>(p)) * 3.0 + 0.1;
        pos.push_back(static_cast<std::int32_t>(p));
        val.push_back(v);
        row[p] = v;
      }
      INFO("length " << length << " stride " << stride);
      CHECK(numpySumOfSparseRow(pos, val, length) == numpySum(row.data(), row.size()));
    }
  }
}
