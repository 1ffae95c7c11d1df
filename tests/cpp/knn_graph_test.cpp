// The kNN graph's internals (cpp/src/models/knn_graph.h), checked against brute force.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "models/knn_graph.h"

using namespace recwasm;

namespace {

struct Matrix {
  SparseRows rows;
  SparseRows columns;  // the transpose
};

// A random 0/1 pattern (values 1) of the given density, with its transpose.
Matrix randomMatrix(std::int32_t numRows, std::int32_t numColumns, double density,
                    std::mt19937& rng) {
  std::bernoulli_distribution present(density);
  std::vector<std::vector<bool>> dense(static_cast<std::size_t>(numRows),
                                       std::vector<bool>(static_cast<std::size_t>(numColumns)));
  Matrix m;
  for (std::int32_t r = 0; r < numRows; ++r) {
    for (std::int32_t c = 0; c < numColumns; ++c) {
      if (!present(rng)) continue;
      dense[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] = true;
      m.rows.indices.push_back(c);
      m.rows.values.push_back(1.0);
    }
    m.rows.offsets.push_back(static_cast<std::int32_t>(m.rows.indices.size()));
  }
  for (std::int32_t c = 0; c < numColumns; ++c) {
    for (std::int32_t r = 0; r < numRows; ++r) {
      if (!dense[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]) continue;
      m.columns.indices.push_back(r);
      m.columns.values.push_back(1.0);
    }
    m.columns.offsets.push_back(static_cast<std::int32_t>(m.columns.indices.size()));
  }
  return m;
}

// Per row, the rows before and after it sharing at least minOverlap columns, pair by pair.
knn::PartnerCounts bruteForcePartners(const Matrix& m, std::int32_t minOverlap) {
  const auto n = static_cast<std::size_t>(m.rows.rows());
  knn::PartnerCounts out;
  out.below.assign(n, 0);
  out.above.assign(n, 0);
  for (std::int32_t a = 0; a < m.rows.rows(); ++a) {
    for (std::int32_t b = a + 1; b < m.rows.rows(); ++b) {
      std::int32_t shared = 0;
      for (std::int32_t x : m.rows.indicesOf(a)) {
        for (std::int32_t y : m.rows.indicesOf(b)) shared += x == y ? 1 : 0;
      }
      if (shared >= minOverlap && shared > 0) {
        ++out.above[static_cast<std::size_t>(a)];
        ++out.below[static_cast<std::size_t>(b)];
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("kNN partner counts agree by pair walk, by bitsets and pair by pair", "[knn]") {
  std::mt19937 rng(7);
  // Row counts around the bitsets' word boundaries; densities from nearly empty to dense.
  for (std::int32_t numRows : {1, 2, 63, 64, 65, 130}) {
    for (double density : {0.02, 0.15, 0.6}) {
      const Matrix m = randomMatrix(numRows, 40, density, rng);
      for (std::int32_t minOverlap : {1, 2, 3, 5}) {
        INFO("rows " + std::to_string(numRows) + " density " + std::to_string(density) +
             " minOverlap " + std::to_string(minOverlap));
        const knn::PartnerCounts expected = bruteForcePartners(m, minOverlap);
        const knn::PartnerCounts walked =
            knn::partnerCountsByPairWalk(m.rows, m.columns, minOverlap);
        const knn::PartnerCounts bitsets =
            knn::partnerCountsByBitsets(m.rows, m.columns, minOverlap);
        CHECK(walked.below == expected.below);
        CHECK(walked.above == expected.above);
        CHECK(bitsets.below == expected.below);
        CHECK(bitsets.above == expected.above);
      }
    }
  }
}

TEST_CASE("kNN lists sort into neighbour order, ties and near-ties included", "[knn]") {
  std::mt19937 rng(11);
  // Short lists take a comparison sort, long ones the radix sort, whose float keys tie doubles a
  // few units in the last place apart (equal cosines from different sums) or further.
  for (std::size_t n : {std::size_t{2}, std::size_t{100}, std::size_t{255}, std::size_t{256},
                        std::size_t{1000}, std::size_t{5000}}) {
    for (int trial = 0; trial < 4; ++trial) {
      std::uniform_int_distribution<int> pickBase(0, 20);
      std::uniform_int_distribution<int> pickUlps(0, trial == 3 ? 3000 : 3);
      std::bernoulli_distribution negative(trial == 2 ? 0.3 : 0.0);
      knn::NeighborLists lists;
      lists.offsets = {0, static_cast<std::uint32_t>(n)};
      lists.ids.resize(n);
      lists.sims.resize(n);
      for (std::size_t k = 0; k < n; ++k) {
        lists.ids[k] = static_cast<std::int32_t>(k);  // partners come ascending
        double s = 0.05 + 0.045 * pickBase(rng);
        for (int u = pickUlps(rng); u > 0; --u) s = std::nextafter(s, 2.0);
        lists.sims[k] = negative(rng) ? -s : s;
      }
      if (trial == 1) std::shuffle(lists.ids.begin(), lists.ids.end(), rng);  // any order
      std::vector<std::pair<double, std::int32_t>> expected;
      for (std::size_t k = 0; k < n; ++k) expected.emplace_back(lists.sims[k], lists.ids[k]);
      std::sort(expected.begin(), expected.end(), [](const auto& p, const auto& q) {
        return knn::strongerNeighbor(p.first, p.second, q.first, q.second);
      });
      knn::sortIntoNeighborOrder(lists, 0, n);
      INFO("n " + std::to_string(n) + " trial " + std::to_string(trial));
      bool same = true;
      for (std::size_t k = 0; k < n; ++k) {
        same = same && lists.sims[k] == expected[k].first && lists.ids[k] == expected[k].second;
      }
      CHECK(same);
    }
  }
}
