#include "recwasm/numpy_random.h"

#include <cmath>

#include "recwasm/error.h"

namespace recwasm {

namespace {

// Smallest 2^b - 1 >= value.
std::uint64_t maskFor(std::uint64_t value) {
  std::uint64_t mask = value;
  for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
  return mask;
}

}  // namespace

NumpyRandomState::NumpyRandomState(std::uint32_t seed) {
  state_[0] = seed;
  for (std::uint32_t i = 1; i < 624; ++i) {
    state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + i;
  }
  position_ = 624;
}

void NumpyRandomState::reload() {
  constexpr std::uint32_t kUpper = 0x80000000u;
  constexpr std::uint32_t kLower = 0x7fffffffu;
  constexpr std::uint32_t kMatrix = 0x9908b0dfu;
  for (int i = 0; i < 624; ++i) {
    std::uint32_t y = (state_[i] & kUpper) | (state_[(i + 1) % 624] & kLower);
    state_[i] = state_[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? kMatrix : 0u);
  }
  position_ = 0;
}

std::uint32_t NumpyRandomState::nextU32() {
  if (position_ >= 624) reload();
  std::uint32_t y = state_[position_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

double NumpyRandomState::nextDouble() {
  std::uint32_t a = nextU32() >> 5;
  std::uint32_t b = nextU32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

std::int64_t NumpyRandomState::randint(std::int64_t low, std::int64_t high) {
  require(high > low, "randint needs low < high");
  auto range = static_cast<std::uint64_t>(high - 1 - low);
  if (range == 0) return low;
  require(range <= 0xFFFFFFFFull, "randint ranges beyond 2^32 are not supported");
  if (range == 0xFFFFFFFFull) return low + nextU32();
  auto mask = static_cast<std::uint32_t>(maskFor(range));
  std::uint32_t v;
  do {
    v = nextU32() & mask;
  } while (v > range);
  return low + static_cast<std::int64_t>(v);
}

std::uint32_t NumpyRandomState::interval(std::uint32_t max) {
  if (max == 0) return 0;
  auto mask = static_cast<std::uint32_t>(maskFor(max));
  std::uint32_t v;
  do {
    v = nextU32() & mask;
  } while (v > max);
  return v;
}

std::vector<std::int64_t> NumpyRandomState::permutation(std::size_t n) {
  std::vector<std::int64_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::int64_t>(i);
  shuffle(order);
  return order;
}

double NumpyRandomState::normal(double loc, double scale) {
  double gauss;
  if (hasCachedGauss_) {
    hasCachedGauss_ = false;
    gauss = cachedGauss_;
  } else {
    double x1, x2, r2;
    do {
      x1 = 2.0 * nextDouble() - 1.0;
      x2 = 2.0 * nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = std::sqrt(-2.0 * std::log(r2) / r2);
    cachedGauss_ = f * x1;
    hasCachedGauss_ = true;
    gauss = f * x2;
  }
  return loc + scale * gauss;
}

}  // namespace recwasm
