// Exponentials and logarithms built from +, -, *, / and exact scalings only.
//
// libm's exp/log differ between glibc (native) and musl (Emscripten), and glibc picks FMA
// variants at run time on some CPUs. Training must give the same bits in every build, so the
// few transcendental functions it needs are written here. With -ffp-contract=off every step
// is a correctly rounded IEEE operation, identical on x86-64 and in WebAssembly. Accuracy is
// a few ulps of double, far more than float training needs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace recwasm::detmath {

namespace internal {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;

// 2^k for -1022 <= k <= 1023, built from the exponent bits.
inline double twoTo(int k) {
  std::uint64_t bits = static_cast<std::uint64_t>(k + 1023) << 52;
  double out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// 2 * atanh(s) = log((1 + s) / (1 - s)) for |s| <= 0.2 (Taylor series, 12 terms).
inline double twoAtanh(double s) {
  const double s2 = s * s;
  double p = 1.0 / 25;
  p = 1.0 / 23 + s2 * p;
  p = 1.0 / 21 + s2 * p;
  p = 1.0 / 19 + s2 * p;
  p = 1.0 / 17 + s2 * p;
  p = 1.0 / 15 + s2 * p;
  p = 1.0 / 13 + s2 * p;
  p = 1.0 / 11 + s2 * p;
  p = 1.0 / 9 + s2 * p;
  p = 1.0 / 7 + s2 * p;
  p = 1.0 / 5 + s2 * p;
  p = 1.0 / 3 + s2 * p;
  return 2.0 * (s + s * (s2 * p));
}

}  // namespace internal

/// e^x. Overflows to +inf above 709.78, underflows to 0 below -745.
inline double exp(double x) {
  using namespace internal;
  if (x != x) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  const double kd = std::floor(x * kInvLn2 + 0.5);
  const int k = static_cast<int>(kd);
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;  // |r| <= 0.347
  // Taylor series to r^14 / 14!; the truncation error is below 2^-60.
  double p = 1.0 / 87178291200.0;
  p = 1.0 / 6227020800.0 + r * p;
  p = 1.0 / 479001600.0 + r * p;
  p = 1.0 / 39916800.0 + r * p;
  p = 1.0 / 3628800.0 + r * p;
  p = 1.0 / 362880.0 + r * p;
  p = 1.0 / 40320.0 + r * p;
  p = 1.0 / 5040.0 + r * p;
  p = 1.0 / 720.0 + r * p;
  p = 1.0 / 120.0 + r * p;
  p = 1.0 / 24.0 + r * p;
  p = 1.0 / 6.0 + r * p;
  p = 0.5 + r * p;
  p = 1.0 + r * p;
  p = 1.0 + r * p;
  if (k < -1021) return (p * twoTo(k + 200)) * twoTo(-200);  // subnormal results
  if (k > 1023) return (p * twoTo(k - 1)) * 2.0;
  return p * twoTo(k);
}

/// Natural logarithm for x > 0 (NaN below 0, -inf at 0, inf at inf).
inline double log(double x) {
  using namespace internal;
  if (!(x > 0))
    return x == 0 ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::quiet_NaN();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m * 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);  // |s| <= 0.172
  return e * kLn2Hi + (twoAtanh(s) + e * kLn2Lo);
}

/// log(1 + x) for x >= 0, accurate for tiny x too.
inline double log1p(double x) {
  if (x > 0.5) return log(1.0 + x);
  return internal::twoAtanh(x / (2.0 + x));  // x / (2 + x) <= 0.2
}

/// 1 / (1 + e^-x) without overflow.
inline double sigmoid(double x) {
  const double t = exp(-std::fabs(x));
  return x >= 0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
}

/// log(1 + e^x) without overflow.
inline double softplus(double x) { return (x > 0 ? x : 0.0) + log1p(exp(-std::fabs(x))); }

/// e^x to about 2e-10 relative error (a shorter series than exp(): plenty for float training,
/// and on the hot path of every example).
inline double expShort(double x) {
  using namespace internal;
  if (x != x) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -708.0) return 0.0;
  const double kd = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  double p = 1.0 / 40320.0;
  p = 1.0 / 5040.0 + r * p;
  p = 1.0 / 720.0 + r * p;
  p = 1.0 / 120.0 + r * p;
  p = 1.0 / 24.0 + r * p;
  p = 1.0 / 6.0 + r * p;
  p = 0.5 + r * p;
  p = 1.0 + r * p;
  p = 1.0 + r * p;
  const int k = static_cast<int>(kd);
  if (k > 1023) return (p * twoTo(k - 1)) * 2.0;
  return p * twoTo(k);
}

#ifdef __wasm_simd128__
/// expShort() of both lanes of an f64x2 for lanes <= 709 (or -inf, or NaN): the same operations
/// lane by lane, so the same bits as the scalar function.
inline v128_t expShortX2(v128_t x) {
  using namespace internal;
  const v128_t isNan = wasm_f64x2_ne(x, x);
  const v128_t tiny = wasm_f64x2_lt(x, wasm_f64x2_splat(-708.0));
  const v128_t xc = wasm_v128_andnot(x, wasm_v128_or(isNan, tiny));  // those lanes: 0
  const v128_t kd = wasm_f64x2_floor(
      wasm_f64x2_add(wasm_f64x2_mul(xc, wasm_f64x2_splat(kInvLn2)), wasm_f64x2_splat(0.5)));
  const v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(xc, wasm_f64x2_mul(kd, wasm_f64x2_splat(kLn2Hi))),
                                  wasm_f64x2_mul(kd, wasm_f64x2_splat(kLn2Lo)));
  v128_t p = wasm_f64x2_splat(1.0 / 40320.0);
  for (double c : {1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0})
    p = wasm_f64x2_add(wasm_f64x2_splat(c), wasm_f64x2_mul(r, p));
  // 2^k from the exponent bits: kd + 1.5 * 2^52 holds k in its low mantissa bits.
  constexpr double kShifter = 6755399441055744.0;
  const v128_t k =
      wasm_i64x2_sub(wasm_f64x2_add(kd, wasm_f64x2_splat(kShifter)), wasm_f64x2_splat(kShifter));
  const v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(k, wasm_i64x2_splat(1023)), 52);
  const v128_t out = wasm_v128_andnot(wasm_f64x2_mul(p, scale), tiny);
  return wasm_v128_bitselect(x, out, isNan);
}
#endif

/// The sigmoid of a logit and its cross-entropy against a label, from one exponential.
struct Logistic {
  double probability;  ///< sigmoid(x)
  double loss;         ///< max(x, 0) - x z + log(1 + e^-|x|), as TensorFlow writes it
};

/// Float-accurate (relative error below 1e-9) logistic terms for training loops.
inline Logistic logistic(double x, double z) {
  const double t = expShort(-std::fabs(x));  // in (0, 1]
  const double s = t / (2.0 + t);            // log(1 + t) = 2 atanh(s), s <= 1/3
  const double s2 = s * s;
  double p = 1.0 / 19;
  p = 1.0 / 17 + s2 * p;
  p = 1.0 / 15 + s2 * p;
  p = 1.0 / 13 + s2 * p;
  p = 1.0 / 11 + s2 * p;
  p = 1.0 / 9 + s2 * p;
  p = 1.0 / 7 + s2 * p;
  p = 1.0 / 5 + s2 * p;
  p = 1.0 / 3 + s2 * p;
  const double log1pT = 2.0 * (s + s * (s2 * p));
  Logistic out;
  out.probability = x >= 0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
  out.loss = (x > 0 ? x : 0.0) - x * z + log1pT;
  return out;
}

/// Sigmoid cross-entropy of logit x against label z in [0, 1], as TensorFlow writes it:
/// max(x, 0) - x z + log(1 + e^-|x|).
inline double sigmoidCrossEntropy(double x, double z) {
  return (x > 0 ? x : 0.0) - x * z + log1p(exp(-std::fabs(x)));
}

}  // namespace recwasm::detmath
