// Decimal text to the nearest double, for the parsers' rare long or exponent-form numbers.
#pragma once

#include <string_view>

namespace recwasm {

/// 10^0 .. 10^22, every one exactly a double: an integer below 2^53 times or divided by one of
/// them is a single rounding, so the nearest double (Clinger's fast path).
inline constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// The double nearest to `text` (ties to even), as a correctly rounding strtod gives it: +-inf
/// beyond the largest double, +-0 below half the smallest. `text` must be
/// [+-] digits [. digits] [(e|E) [+-] digits] with at least one digit before the exponent; it
/// may have any number of digits. Exact integer arithmetic, no long double: musl's strtod brings
/// 128-bit soft float into the wasm module (7 KB gzip, 4% of the demo page).
double decimalToDouble(std::string_view text);

}  // namespace recwasm
