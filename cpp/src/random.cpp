#include "recwasm/random.h"

namespace recwasm {

namespace {

std::uint64_t splitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(std::uint64_t seed, std::uint64_t stream) {
  // Mixing the stream through its own SplitMix step keeps (seed, stream) pairs apart even for
  // small, adjacent values of both.
  std::uint64_t streamMix = stream;
  std::uint64_t x = seed ^ splitMix64(streamMix);
  for (std::uint64_t& word : s_) word = splitMix64(x);
}

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint32_t Random::below(std::uint32_t n) {
  // Lemire's method: the high half of a 32x32 product, rejecting the few low halves that would
  // make some results more likely than others.
  std::uint64_t product = static_cast<std::uint64_t>(next() >> 32) * n;
  auto low = static_cast<std::uint32_t>(product);
  if (low < n) {
    const std::uint32_t threshold = static_cast<std::uint32_t>(-n) % n;
    while (low < threshold) {
      product = static_cast<std::uint64_t>(next() >> 32) * n;
      low = static_cast<std::uint32_t>(product);
    }
  }
  return static_cast<std::uint32_t>(product >> 32);
}

}  // namespace recwasm
