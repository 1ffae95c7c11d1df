// Decimal text to the nearest double, for the parsers' rare long or exponent-form numbers.
#pragma once

#include <string_view>

namespace recwasm {

/// The double nearest to `text` (ties to even), as a correctly rounding strtod gives it: +-inf
/// beyond the largest double, +-0 below half the smallest. `text` must be
/// [+-] digits [. digits] [(e|E) [+-] digits] with at least one digit before the exponent; it
/// may have any number of digits. Exact integer arithmetic, no long double: musl's strtod brings
/// 128-bit soft float into the wasm module (7 KB gzip, 4% of the demo page).
double decimalToDouble(std::string_view text);

}  // namespace recwasm
