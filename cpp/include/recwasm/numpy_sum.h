// numpy's float64 summation, bit for bit, so that means and similarities equal the notebook's.
//
// `np.sum` / `ndarray.sum()` / `np.mean` of a contiguous float64 array add the elements with
// numpy's pairwise summation (0.0 + pairwise(a, n)):
//   n < 8         a plain left-to-right loop starting from 0.0;
//   8 <= n <= 128 eight accumulators r[k] over the positions i = k (mod 8) below n - n % 8,
//                 combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the
//                 remaining n % 8 elements added in order;
//   n > 128       pairwise(first n2) + pairwise(rest), n2 = n / 2 rounded down to a multiple of 8.
// The grouping depends on positions, so a sum of the same numbers at other positions may differ in
// the last bits; near-ties in a ranking then flip. recwasm reproduces the grouping exactly.
#pragma once

#include <cstddef>
#include <cstdint>

#include "recwasm/span.h"

namespace recwasm {

/// numpy's pairwise sum of `get(first) .. get(first + n - 1)` (each element evaluated once).
/// `get` returns a T: a double, or a small struct of doubles with `+` lane by lane and a zero
/// default, to form several sums of the same length in one pass with numpy's grouping in every
/// lane. Products such as a[i] * b[i] are rounded before adding, as numpy's `(a * b).sum()` does.
template <class T, class Get>
T numpyPairwise(const Get& get, std::size_t first, std::size_t n) {
  if (n < 8) {
    T res{};
    for (std::size_t i = 0; i < n; ++i) res = res + get(first + i);
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (std::size_t k = 0; k < 8; ++k) r[k] = get(first + k);
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (std::size_t k = 0; k < 8; ++k) r[k] = r[k] + get(first + i + k);
    }
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res = res + get(first + i);
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpyPairwise<T>(get, first, n2) + numpyPairwise<T>(get, first + n2, n - n2);
}

/// `np.sum(a[:n])`.
inline double numpySum(const double* a, std::size_t n) {
  return 0.0 + numpyPairwise<double>([a](std::size_t i) { return a[i]; }, 0, n);
}

/// `(a[:n] * b[:n]).sum()`.
inline double numpyDot(const double* a, const double* b, std::size_t n) {
  return 0.0 + numpyPairwise<double>([a, b](std::size_t i) { return a[i] * b[i]; }, 0, n);
}

/// `np.sum` of a dense row of `length` doubles that holds `values` at `positions` (strictly
/// ascending, below `length`) and 0.0 everywhere else: the total `np.nanmean` forms after
/// replacing NaN by 0. Costs O(entries * log(length)), not O(length).
double numpySumOfSparseRow(Span<std::int32_t> positions, Span<double> values, std::size_t length);

/// The notebook's `nanmean_safe(R[u])` for such a row (NaN elsewhere): the sum above divided by
/// the number of entries, or 0.0 for an empty row.
double notebookNanMean(Span<std::int32_t> positions, Span<double> values, std::size_t length);

}  // namespace recwasm
