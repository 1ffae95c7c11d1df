// numpy's legacy `RandomState` (MT19937), reproduced draw for draw so that recwasm generates the
// notebook's data and split bit for bit (see shared/NUMPY_PARITY.md for the algorithms).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace recwasm {

class NumpyRandomState {
 public:
  /// `RandomState(seed)` for 0 <= seed < 2^32.
  explicit NumpyRandomState(std::uint32_t seed);

  std::uint32_t nextU32();
  /// Uniform double in [0, 1) from two 32-bit draws (numpy's `random_sample`).
  double nextDouble();
  /// `randint(low, high)`: one value in [low, high) (masked rejection sampling).
  std::int64_t randint(std::int64_t low, std::int64_t high);
  /// A value in [0, max] by masked rejection (the bound `shuffle` uses).
  std::uint32_t interval(std::uint32_t max);
  /// `shuffle(x)` of a 1-d array.
  template <class T>
  void shuffle(std::vector<T>& x) {
    for (std::size_t i = x.size(); i-- > 1;) {
      std::size_t j = interval(static_cast<std::uint32_t>(i));
      std::swap(x[i], x[j]);
    }
  }
  /// `permutation(n)`.
  std::vector<std::int64_t> permutation(std::size_t n);
  /// `choice(a, size, replace=False)` without weights: a[permutation(len(a))[:size]].
  template <class T>
  std::vector<T> choiceWithoutReplacement(const std::vector<T>& a, std::size_t size) {
    std::vector<T> out;
    if (a.empty()) return out;  // numpy draws nothing for an empty population (size must be 0)
    std::vector<std::int64_t> order = permutation(a.size());
    for (std::size_t i = 0; i < size && i < order.size(); ++i) {
      out.push_back(a[static_cast<std::size_t>(order[i])]);
    }
    return out;
  }
  /// `normal(loc, scale)` with the polar method and its cached second value.
  double normal(double loc, double scale);

 private:
  void reload();

  std::array<std::uint32_t, 624> state_{};
  int position_ = 624;
  bool hasCachedGauss_ = false;
  double cachedGauss_ = 0.0;
};

}  // namespace recwasm
