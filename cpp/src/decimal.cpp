#include "decimal.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace recwasm {

namespace {

// A non-negative integer of any size in base 2^32, lowest limb first, without a zero limb on top:
// just what comparing a decimal with a binary number takes.
class BigInt {
 public:
  explicit BigInt(std::uint64_t value) {
    for (; value != 0; value >>= 32) limbs_.push_back(static_cast<std::uint32_t>(value));
  }

  /// this = this * factor + addend, factor >= 1.
  void multiplyAdd(std::uint32_t factor, std::uint32_t addend) {
    std::uint64_t carry = addend;
    for (std::uint32_t& limb : limbs_) {
      const std::uint64_t product = std::uint64_t{limb} * factor + carry;
      limb = static_cast<std::uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }

  /// this *= base^exponent, base^chunk being below 2^32.
  void multiplyByPower(std::uint32_t base, int chunk, int exponent) {
    std::uint32_t power = 1;
    for (int e = 0; e < chunk; ++e) power *= base;
    for (; exponent >= chunk; exponent -= chunk) multiplyAdd(power, 0);
    for (; exponent > 0; --exponent) multiplyAdd(base, 0);
  }

  /// -1, 0 or 1 as a is below, equal to or above b.
  friend int compare(const BigInt& a, const BigInt& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (std::size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  std::vector<std::uint32_t> limbs_;
};

// The sign of digits * 10^exponent10 - numerator * 2^exponent2: both sides scaled to integers
// (10^e = 5^e 2^e; the powers of 2 go to one side, a negative power of 5 to the other).
int compareWithBinary(const BigInt& digits, int exponent10, std::uint64_t numerator,
                      int exponent2) {
  BigInt decimal = digits;
  BigInt binary(numerator);
  (exponent10 >= 0 ? decimal : binary)
      .multiplyByPower(5, 13, exponent10 >= 0 ? exponent10 : -exponent10);
  const int twos = exponent10 - exponent2;
  (twos >= 0 ? decimal : binary).multiplyByPower(2, 31, twos >= 0 ? twos : -twos);
  return compare(decimal, binary);
}

struct Binary {
  std::uint64_t mantissa;
  int exponent;  // value = mantissa * 2^exponent
};

// The value of a non-negative double's bits; those of +inf read as 2^1024, the next power of two
// after the largest double.
Binary valueOf(std::uint64_t bits) {
  const auto field = static_cast<int>(bits >> 52);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  if (field == 0) return {fraction, -1074};
  return {fraction | (std::uint64_t{1} << 52), field - 1075};
}

// The midpoint between the non-negative doubles with bits `low` and low + 1.
Binary midpointAbove(std::uint64_t low) {
  const Binary a = valueOf(low);
  const Binary b = valueOf(low + 1);  // its exponent is a's or one more
  return {a.mantissa + (b.mantissa << (b.exponent - a.exponent)), a.exponent - 1};
}

}  // namespace

double decimalToDouble(std::string_view text) {
  std::size_t i = 0;
  const bool negative = text[i] == '-';
  if (text[i] == '+' || text[i] == '-') ++i;
  // value = (the n digits from the first non-zero one on) * 10^exponent10, the first 19 of them
  // in `top`.
  long n = 0;
  std::uint64_t top = 0;
  long exponent10 = 0;
  bool afterDot = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      afterDot = true;
      continue;
    }
    if (afterDot) --exponent10;
    const auto digit = static_cast<std::uint32_t>(text[i] - '0');
    if (n == 0 && digit == 0) continue;
    if (n < 19) top = top * 10 + digit;
    ++n;
  }
  const std::size_t mantissaEnd = i;
  if (i < text.size()) {
    ++i;
    const bool negativeExponent = text[i] == '-';
    if (text[i] == '+' || text[i] == '-') ++i;
    long value = 0;
    for (; i < text.size(); ++i) value = std::min(value * 10 + (text[i] - '0'), 100'000'000L);
    exponent10 += negativeExponent ? -value : value;
  }
  const double sign = negative ? -1.0 : 1.0;
  // The value lies in [10^(n - 1 + exponent10), 10^(n + exponent10)): below 1e-324, under half
  // the smallest double, it rounds to 0; from 1e309 on, beyond the largest, to inf.
  if (n == 0 || n + exponent10 <= -324) return sign * 0.0;
  if (n - 1 + exponent10 >= 309) return sign * std::numeric_limits<double>::infinity();
  // top * 10^scale, within an exact integer's range (<= 15 digits) and 10^22: one rounding
  // (Clinger's fast path). Else a guess a few units in the last place off (each step rounds),
  // moved a unit at a time until exact comparisons with the midpoints to its neighbours place the
  // value between them.
  long scale = exponent10 + n - std::min(n, 19L);
  const bool exactPath = n <= 15 && scale >= -22 && scale <= 22;
  double guess = static_cast<double>(top);
  for (; scale > 22; scale -= 22) guess *= 1e22;
  for (; scale < -22; scale += 22) guess /= 1e22;
  guess = scale >= 0 ? guess * kExactPowersOfTen[static_cast<std::size_t>(scale)]
                     : guess / kExactPowersOfTen[static_cast<std::size_t>(-scale)];
  if (exactPath) return sign * guess;
  BigInt exact(0);  // the digits, exactly, for the comparisons below (leading zeros add nothing)
  for (std::size_t d = 0; d < mantissaEnd; ++d) {
    if (text[d] >= '0' && text[d] <= '9') {
      exact.multiplyAdd(10, static_cast<std::uint32_t>(text[d] - '0'));
    }
  }
  guess = std::min(guess, std::numeric_limits<double>::max());
  std::uint64_t bits = 0;
  std::memcpy(&bits, &guess, sizeof bits);

  const auto e10 = static_cast<int>(exponent10);
  auto versusMidpointAbove = [&](std::uint64_t low) {
    const Binary mid = midpointAbove(low);
    return compareWithBinary(exact, e10, mid.mantissa, mid.exponent);
  };
  constexpr std::uint64_t kInfinityBits = std::uint64_t{0x7ff} << 52;
  for (;;) {
    // A tie goes to the even neighbour (its last bit 0).
    const int above = versusMidpointAbove(bits);
    if (above > 0 || (above == 0 && (bits & 1) != 0)) {
      if (++bits == kInfinityBits) break;
      continue;
    }
    if (bits == 0) break;
    const int below = versusMidpointAbove(bits - 1);
    if (below < 0 || (below == 0 && (bits & 1) != 0)) {
      --bits;
      continue;
    }
    break;
  }
  double value = 0.0;
  std::memcpy(&value, &bits, sizeof value);
  return sign * value;
}

}  // namespace recwasm
