// decimalToDouble against the C library's strtod (glibc rounds correctly), bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "decimal.h"

using recwasm::decimalToDouble;

namespace {

std::uint64_t bitsOf(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

void checkLikeStrtod(const std::string& text) {
  INFO(text);
  REQUIRE(bitsOf(decimalToDouble(text)) == bitsOf(std::strtod(text.c_str(), nullptr)));
}

}  // namespace

TEST_CASE("decimalToDouble rounds the known hard cases as strtod does", "[decimal]") {
  for (const char* text :
       {"0", "-0", "+0.000", "0e999", "1", "-1.5", ".5", "5.", "0.1", "0.3", "1e23", "1e22",
        "123456789012345678901234567890", "9007199254740993",  // 2^53 + 1: a tie, to even
        "9007199254740995", "9007199254740993.0000000000000000001",
        // 1 + 2^-53, the midpoint between 1 and the next double: a tie, to even (1); then
        // just above it
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203126",
        "1.00000000000000011102230246251565404236316680908203124",
        // Largest double, the overflow threshold (a tie, to even: inf) and either side
        "1.7976931348623157e308", "1.7976931348623158e308", "179769313486231580793728971405301e276",
        "1.797693134862315807937289714053e308", "1.7976931348623159e308", "1e309", "-1e400",
        // Smallest normal, subnormals, half the smallest subnormal (a tie, to even: 0)
        "2.2250738585072014e-308", "2.2250738585072011e-308", "2.2250738585072012e-308",
        "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.47032822920623272088e-324", "1e-400",
        "0.000000000000000000000000000000000000000001e-300", "8.98846567431158e307",
        "4.4501477170144023e-308", "1e-7", "4.5", "3.14159265358979323846264338327950288"}) {
    checkLikeStrtod(text);
  }
}

TEST_CASE("decimalToDouble agrees with strtod on random decimals", "[decimal]") {
  std::mt19937 rng(20261207);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto digits = [&](int count) {
    std::string out;
    for (int d = 0; d < count; ++d) out += static_cast<char>('0' + uniform(0, 9));
    return out;
  };
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text = trial % 3 == 0 ? "-" : (trial % 3 == 1 ? "+" : "");
    const int whole = uniform(0, 25);
    const int fraction = uniform(whole == 0 ? 1 : 0, 25);
    text += digits(whole);
    if (fraction > 0 || uniform(0, 1) == 0) text += "." + digits(fraction);
    if (uniform(0, 2) > 0) {
      text += uniform(0, 1) == 0 ? "e" : "E";
      const int exponent = uniform(-420, 420);
      text += exponent < 0 ? "-" : (uniform(0, 1) == 0 ? "+" : "");
      text +=
          (uniform(0, 4) == 0 ? "00" : "") + std::to_string(exponent < 0 ? -exponent : exponent);
    }
    checkLikeStrtod(text);
  }
}

TEST_CASE("decimalToDouble rounds exact midpoints to even and their neighbours away", "[decimal]") {
  // (2m + 1) 2^(e - 1) for a 53-bit m is exactly halfway between two doubles; with e - 1 >= -70
  // its decimal expansion is exact in 70 fraction digits (long double holds it exactly).
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    const std::uint64_t m = (rng() >> 11) | (std::uint64_t{1} << 52);
    const int e = static_cast<int>(rng() % 80) - 70;
    const long double midpoint = std::ldexp(static_cast<long double>(2 * m + 1), e - 1);
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, "%.72Lf", midpoint);
    std::string tie = buffer;
    checkLikeStrtod(tie);
    checkLikeStrtod(tie + "1");  // just above the tie
    // Just below: the last non-zero digit less one, then nines.
    const std::size_t last = tie.find_last_not_of('0');
    if (tie[last] == '.') continue;
    std::string below = tie.substr(0, last + 1);
    below[last] = static_cast<char>(below[last] - 1);
    checkLikeStrtod(below + "999999");
  }
}
