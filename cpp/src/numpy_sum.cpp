#include "recwasm/numpy_sum.h"

#include <algorithm>

namespace recwasm {

namespace {

// numpyPairwise over the dense range [lo, lo + n) whose non-zero entries are [begin, end).
// Zeros change no partial sum (x + 0.0 == x), so only the entries and the block structure,
// which follows from lo and n alone, matter; an all-zero block sums to +0.0.
double sparsePairwise(const std::int32_t* pos, const double* val, std::size_t begin,
                      std::size_t end, std::size_t lo, std::size_t n) {
  if (begin == end) return 0.0;
  if (n < 8) {
    double res = 0.0;
    for (std::size_t e = begin; e < end; ++e) res += val[e];
    return res;
  }
  if (n <= 128) {
    std::size_t blocked = lo + (n - n % 8);
    double r[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    std::size_t e = begin;
    for (; e < end && static_cast<std::size_t>(pos[e]) < blocked; ++e) {
      r[(static_cast<std::size_t>(pos[e]) - lo) % 8] += val[e];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; e < end; ++e) res += val[e];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  auto split = static_cast<std::size_t>(
      std::lower_bound(pos + begin, pos + end, static_cast<std::int64_t>(lo + n2)) - pos);
  return sparsePairwise(pos, val, begin, split, lo, n2) +
         sparsePairwise(pos, val, split, end, lo + n2, n - n2);
}

}  // namespace

double numpySumOfSparseRow(Span<std::int32_t> positions, Span<double> values, std::size_t length) {
  return 0.0 + sparsePairwise(positions.data(), values.data(), 0, positions.size(), 0, length);
}

double notebookNanMean(Span<std::int32_t> positions, Span<double> values, std::size_t length) {
  if (positions.empty()) return 0.0;
  return numpySumOfSparseRow(positions, values, length) / static_cast<double>(positions.size());
}

}  // namespace recwasm
