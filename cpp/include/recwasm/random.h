// recwasm's own seeded random source for training (initialisation, shuffling, negative sampling,
// validation splits). Integer arithmetic only, floats built from bits: the same seed gives the
// same draws on every platform and in every build (native and wasm alike).
#pragma once

#include <cstdint>
#include <utility>

namespace recwasm {

/// xoshiro256** seeded through SplitMix64. Not numpy's generator: the data generator and the
/// split use NumpyRandomState; models use this.
class Random {
 public:
  /// `stream` picks an independent sequence for the same seed, so that e.g. changing the number
  /// of negatives leaves the initialisation untouched.
  explicit Random(std::uint64_t seed, std::uint64_t stream = 0);

  std::uint64_t next();
  /// Uniform integer in [0, n), unbiased (multiply-and-reject); n must be > 0.
  std::uint32_t below(std::uint32_t n);
  /// Uniform float in [0, 1) with 24 random bits (every value exactly representable).
  float unitFloat() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }
  /// Uniform double in [0, 1) with 53 random bits.
  double unitDouble() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// lo + (hi - lo) * u in float arithmetic (Keras' RandomUniform formula).
  float uniform(float lo, float hi) { return lo + (hi - lo) * unitFloat(); }

  /// Fisher-Yates, from the back.
  template <class T>
  void shuffle(T* data, std::size_t n) {
    for (std::size_t i = n; i > 1; --i) {
      std::size_t j = below(static_cast<std::uint32_t>(i));
      std::swap(data[i - 1], data[j]);
    }
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace recwasm
