#include "recwasm/options.h"

#include <algorithm>
#include <cmath>

#include "recwasm/error.h"

namespace recwasm {

namespace {

// a * 10^shift, with a single rounding while |shift| <= 22 (the powers of ten a double holds
// exactly).
double timesPowerOfTen(double a, int shift) {
  static constexpr double kTens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  for (; shift > 22; shift -= 22) a *= 1e22;
  for (; shift < -22; shift += 22) a /= 1e22;
  return shift >= 0 ? a * kTens[shift] : a / kTens[-shift];
}

// Numbers in messages: integers below 1e15 exactly, other values to 15 significant digits (all
// a double is sure to hold; in exponent form outside [1e-6, 1e15)). Not std::to_string(double):
// that is printf("%f"), and printf's float formatting with its 128-bit float arithmetic is
// 5.5 KB gzip of wasm module (recwasm/clock.h removed its only other user).
std::string numberText(double v) {
  if (std::isnan(v)) return "NaN";
  const std::string sign = v < 0 ? "-" : "";
  const double a = std::fabs(v);
  if (std::isinf(a)) return sign + "Infinity";
  if (a == std::floor(a) && a < 1e15) return sign + std::to_string(static_cast<long long>(a));
  // a = d.dddddddddddddd * 10^exponent: the 15 digits as an integer in [1e14, 1e15).
  int exponent = 0;
  for (double x = a; x >= 10; x /= 10) ++exponent;
  for (double x = a; x < 1; x *= 10) --exponent;
  long long scaled = std::llround(timesPowerOfTen(a, 14 - exponent));
  if (scaled >= 1000000000000000) {
    scaled = std::llround(timesPowerOfTen(a, 14 - ++exponent));
  } else if (scaled < 100000000000000) {
    scaled = std::llround(timesPowerOfTen(a, 14 - --exponent));
  }
  std::string digits = std::to_string(scaled);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exponent < -6 || exponent >= 15) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    return sign + mantissa + "e" + std::to_string(exponent);
  }
  if (exponent < 0)
    return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const auto whole = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= whole) return sign + digits + std::string(whole - digits.size(), '0');
  return sign + digits.substr(0, whole) + "." + digits.substr(whole);
}

std::string describe(const OptionValue& v) {
  if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? "true" : "false";
  if (std::holds_alternative<std::string>(v)) return "\"" + std::get<std::string>(v) + "\"";
  return numberText(std::get<double>(v));
}

}  // namespace

OptionReader::OptionReader(const OptionMap& given, std::string_view modelKind)
    : given_(given), modelKind_(modelKind) {}

const OptionValue* OptionReader::find(std::string_view key) {
  known_.emplace_back(key);
  auto it = given_.find(key);
  return it == given_.end() ? nullptr : &it->second;
}

double OptionReader::number(std::string_view key, double defaultValue, double min, double max) {
  double value = defaultValue;
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<double>(*v)) {
      fail(ErrorCode::kInvalidArgument,
           modelKind_ + " option '" + std::string(key) + "' must be a number, got " + describe(*v));
    }
    value = std::get<double>(*v);
  }
  if (!std::isfinite(value) || value < min || value > max) {
    fail(ErrorCode::kInvalidArgument,
         modelKind_ + " option '" + std::string(key) + "' must be a finite number in [" +
             numberText(min) + ", " + numberText(max) + "], got " + describe(OptionValue(value)));
  }
  resolved_[std::string(key)] = value;
  return value;
}

int OptionReader::integer(std::string_view key, int defaultValue, int min, int max) {
  double value = number(key, defaultValue, min, max);
  if (value != std::floor(value)) {
    fail(ErrorCode::kInvalidArgument,
         modelKind_ + " option '" + std::string(key) + "' must be an integer");
  }
  return static_cast<int>(value);
}

bool OptionReader::flag(std::string_view key, bool defaultValue) {
  bool value = defaultValue;
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<bool>(*v)) {
      fail(ErrorCode::kInvalidArgument, modelKind_ + " option '" + std::string(key) +
                                            "' must be true or false, got " + describe(*v));
    }
    value = std::get<bool>(*v);
  }
  resolved_[std::string(key)] = value;
  return value;
}

std::string OptionReader::choice(std::string_view key, std::string_view defaultValue,
                                 const std::vector<std::string_view>& allowed) {
  std::string value(defaultValue);
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<std::string>(*v)) {
      fail(ErrorCode::kInvalidArgument,
           modelKind_ + " option '" + std::string(key) + "' must be a string, got " + describe(*v));
    }
    value = std::get<std::string>(*v);
  }
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(ErrorCode::kInvalidArgument, modelKind_ + " option '" + std::string(key) +
                                          "' must be one of " + list + ", got \"" + value + "\"");
  }
  resolved_[std::string(key)] = value;
  return value;
}

void OptionReader::finish() const {
  for (const auto& [key, value] : given_) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string list;
    for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
    fail(ErrorCode::kInvalidArgument, "unknown " + modelKind_ + " option '" + key +
                                          "' (valid: " + (list.empty() ? "none" : list) + ")");
  }
}

}  // namespace recwasm
