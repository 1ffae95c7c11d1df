// Float kernels of the learned models, over rows padded to a multiple of 4 floats.
//
// Every function gives the same bits in the scalar build (native) and the wasm SIMD build:
// element-wise work is independent of the lane count, dot() keeps four partial sums (lane l adds
// elements l, l+4, l+8, ...) combined as (s0 + s1) + (s2 + s3) in both paths, and matmul() sums
// each output element's products one after another. Eigen does not vectorise in wasm here, so
// these are written out by hand.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace recwasm::kernels {

constexpr int kLanes = 4;

/// Row length rounded up to whole lanes.
constexpr std::int32_t paddedWidth(std::int32_t width) {
  return (width + kLanes - 1) / kLanes * kLanes;
}

/// sum a[i] b[i] over n (a multiple of 4) elements, in the fixed order described above.
inline float dot(const float* a, const float* b, std::int32_t n) {
#ifdef __wasm_simd128__
  v128_t acc = wasm_f32x4_splat(0.0f);
  for (std::int32_t i = 0; i < n; i += 4) {
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  }
  return (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
         (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
#else
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  for (std::int32_t i = 0; i < n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  return (s0 + s1) + (s2 + s3);
#endif
}

/// y = 0 (a loop of vector stores: cheaper than a call to memset for a few dozen floats)
inline void zero(float* y, std::int32_t n) {
#ifdef __wasm_simd128__
  const v128_t z = wasm_f32x4_splat(0.0f);
  for (std::int32_t i = 0; i < n; i += 4) wasm_v128_store(y + i, z);
#else
  for (std::int32_t i = 0; i < n; ++i) y[i] = 0.0f;
#endif
}

/// y += s x
inline void axpy(float s, const float* x, float* y, std::int32_t n) {
#ifdef __wasm_simd128__
  const v128_t vs = wasm_f32x4_splat(s);
  for (std::int32_t i = 0; i < n; i += 4) {
    wasm_v128_store(
        y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(vs, wasm_v128_load(x + i))));
  }
#else
  for (std::int32_t i = 0; i < n; ++i) y[i] += s * x[i];
#endif
}

/// y = s x
inline void scale(float s, const float* x, float* y, std::int32_t n) {
#ifdef __wasm_simd128__
  const v128_t vs = wasm_f32x4_splat(s);
  for (std::int32_t i = 0; i < n; i += 4) {
    wasm_v128_store(y + i, wasm_f32x4_mul(vs, wasm_v128_load(x + i)));
  }
#else
  for (std::int32_t i = 0; i < n; ++i) y[i] = s * x[i];
#endif
}

/// y = (y - u c) s: the gradient through an L2 normalisation, with c = <u, y> and s = 1/|x|.
inline void removeComponentAndScale(const float* u, float c, float s, float* y, std::int32_t n) {
#ifdef __wasm_simd128__
  const v128_t vc = wasm_f32x4_splat(c);
  const v128_t vs = wasm_f32x4_splat(s);
  for (std::int32_t i = 0; i < n; i += 4) {
    const v128_t d =
        wasm_f32x4_sub(wasm_v128_load(y + i), wasm_f32x4_mul(wasm_v128_load(u + i), vc));
    wasm_v128_store(y + i, wasm_f32x4_mul(d, vs));
  }
#else
  for (std::int32_t i = 0; i < n; ++i) y[i] = (y[i] - u[i] * c) * s;
#endif
}

/// Scalars of one Adam step (Keras' formulation: epsilon is added to sqrt(v), and the bias
/// correction is folded into the step size alpha = lr sqrt(1 - b2^t) / (1 - b1^t)).
struct AdamStep {
  float oneMinusBeta1;
  float oneMinusBeta2;
  float epsilon;
  float alpha;
  float l2;  ///< the gradient of l2 * |w|^2 / 2 is l2 * w, added to every element updated
};

namespace internal {

// Adam over n elements with the data gradient present or not and the norm tracked or not,
// resolved at compile time so that the vector loop carries no branches.
template <bool kGrad, bool kTrack>
inline float adam(float* w, float* m, float* v, const float* grad, std::int32_t n,
                  const AdamStep& s) {
#ifdef __wasm_simd128__
  const v128_t c1 = wasm_f32x4_splat(s.oneMinusBeta1);
  const v128_t c2 = wasm_f32x4_splat(s.oneMinusBeta2);
  const v128_t eps = wasm_f32x4_splat(s.epsilon);
  const v128_t alpha = wasm_f32x4_splat(s.alpha);
  const v128_t l2 = wasm_f32x4_splat(s.l2);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t delta = zero;
  for (std::int32_t i = 0; i < n; i += 4) {
    const v128_t wi = wasm_v128_load(w + i);
    const v128_t gi =
        wasm_f32x4_add(kGrad ? wasm_v128_load(grad + i) : zero, wasm_f32x4_mul(l2, wi));
    v128_t mi = wasm_v128_load(m + i);
    v128_t vi = wasm_v128_load(v + i);
    mi = wasm_f32x4_add(mi, wasm_f32x4_mul(wasm_f32x4_sub(gi, mi), c1));
    vi = wasm_f32x4_add(vi, wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_mul(gi, gi), vi), c2));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    const v128_t wn = wasm_f32x4_sub(
        wi, wasm_f32x4_div(wasm_f32x4_mul(mi, alpha), wasm_f32x4_add(wasm_f32x4_sqrt(vi), eps)));
    wasm_v128_store(w + i, wn);
    if (kTrack) {
      delta = wasm_f32x4_add(delta, wasm_f32x4_sub(wasm_f32x4_mul(wn, wn), wasm_f32x4_mul(wi, wi)));
    }
  }
  return (wasm_f32x4_extract_lane(delta, 0) + wasm_f32x4_extract_lane(delta, 1)) +
         (wasm_f32x4_extract_lane(delta, 2) + wasm_f32x4_extract_lane(delta, 3));
#else
  // Locals, so that stores through w, m, v cannot be taken to change them. Blocks of 64 keep
  // the old values for the tracked sum; every loop is one the compiler vectorises.
  const float c1 = s.oneMinusBeta1, c2 = s.oneMinusBeta2, eps = s.epsilon, alpha = s.alpha;
  const float l2 = s.l2;
  float d0 = 0.0f, d1 = 0.0f, d2 = 0.0f, d3 = 0.0f;
  float old[64];
  for (std::int32_t start = 0; start < n; start += 64) {
    const std::int32_t end = n - start < 64 ? n : start + 64;
    if (kTrack) {
      for (std::int32_t i = start; i < end; ++i) old[i - start] = w[i];
    }
    for (std::int32_t i = start; i < end; ++i) {
      const float g = (kGrad ? grad[i] : 0.0f) + l2 * w[i];
      const float mi = m[i] + (g - m[i]) * c1;
      const float vi = v[i] + (g * g - v[i]) * c2;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (mi * alpha) / (std::sqrt(vi) + eps);
    }
    if (kTrack) {
      for (std::int32_t i = start; i < end; i += 4) {
        const float* o = old + (i - start);
        d0 += w[i] * w[i] - o[0] * o[0];
        d1 += w[i + 1] * w[i + 1] - o[1] * o[1];
        d2 += w[i + 2] * w[i + 2] - o[2] * o[2];
        d3 += w[i + 3] * w[i + 3] - o[3] * o[3];
      }
    }
  }
  return (d0 + d1) + (d2 + d3);
#endif
}

}  // namespace internal

/// One Adam step of n elements: g = grad + l2 w; m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
/// w -= m alpha / (sqrt(v) + eps). `grad` may be null (no data gradient: g = l2 w).
/// With `track`, returns sum(w_new^2 - w_old^2) (four lanes, as dot() sums) for the reported
/// L2 term; else 0.
inline float adam(float* w, float* m, float* v, const float* grad, std::int32_t n,
                  const AdamStep& s, bool track) {
  if (grad) {
    return track ? internal::adam<true, true>(w, m, v, grad, n, s)
                 : internal::adam<true, false>(w, m, v, grad, n, s);
  }
  return track ? internal::adam<false, true>(w, m, v, grad, n, s)
               : internal::adam<false, false>(w, m, v, grad, n, s);
}

namespace internal {

// A's element (i, t): row-major, or (kTransposeA) stored as its transpose.
template <bool kTransposeA>
inline float elementOf(const float* a, std::int32_t lda, std::int32_t i, std::int32_t t) {
  return kTransposeA ? a[static_cast<std::size_t>(t) * lda + i]
                     : a[static_cast<std::size_t>(i) * lda + t];
}

// kRows x (4 kVectors) outputs held in registers over the whole sum: each B row loaded once
// serves kRows outputs, each A element kVectors * 4.
template <bool kTransposeA, int kRows, int kVectors>
inline void matmulTile(const float* a, std::int32_t lda, const float* b, std::int32_t ldb, float* c,
                       std::int32_t ldc, std::int32_t i0, std::int32_t j0, std::int32_t k,
                       bool accumulate) {
#ifdef __wasm_simd128__
  v128_t acc[kRows][kVectors];
  for (int r = 0; r < kRows; ++r) {
    const float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int q = 0; q < kVectors; ++q)
      acc[r][q] = accumulate ? wasm_v128_load(cr + 4 * q) : wasm_f32x4_splat(0.0f);
  }
  for (std::int32_t t = 0; t < k; ++t) {
    const float* bt = b + static_cast<std::size_t>(t) * ldb + j0;
    v128_t bv[kVectors];
    for (int q = 0; q < kVectors; ++q) bv[q] = wasm_v128_load(bt + 4 * q);
    for (int r = 0; r < kRows; ++r) {
      const v128_t ar = wasm_f32x4_splat(elementOf<kTransposeA>(a, lda, i0 + r, t));
      for (int q = 0; q < kVectors; ++q)
        acc[r][q] = wasm_f32x4_add(acc[r][q], wasm_f32x4_mul(ar, bv[q]));
    }
  }
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int q = 0; q < kVectors; ++q) wasm_v128_store(cr + 4 * q, acc[r][q]);
  }
#elif defined(__GNUC__)
  // The same tile in GCC's generic vectors (SSE on x86-64), which g++ keeps in registers where
  // it would not for the scalar loops below.
  typedef float Vec __attribute__((vector_size(16)));
  Vec acc[kRows][kVectors];
  for (int r = 0; r < kRows; ++r) {
    const float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int q = 0; q < kVectors; ++q) {
      if (accumulate) {
        std::memcpy(&acc[r][q], cr + 4 * q, sizeof(Vec));
      } else {
        acc[r][q] = Vec{0.0f, 0.0f, 0.0f, 0.0f};
      }
    }
  }
  for (std::int32_t t = 0; t < k; ++t) {
    const float* bt = b + static_cast<std::size_t>(t) * ldb + j0;
    Vec bv[kVectors];
    for (int q = 0; q < kVectors; ++q) std::memcpy(&bv[q], bt + 4 * q, sizeof(Vec));
    for (int r = 0; r < kRows; ++r) {
      const float ar = elementOf<kTransposeA>(a, lda, i0 + r, t);
      const Vec av = {ar, ar, ar, ar};
      for (int q = 0; q < kVectors; ++q) acc[r][q] = acc[r][q] + av * bv[q];
    }
  }
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int q = 0; q < kVectors; ++q) std::memcpy(cr + 4 * q, &acc[r][q], sizeof(Vec));
  }
#else
  constexpr int kCols = 4 * kVectors;
  float acc[kRows][kCols];
  for (int r = 0; r < kRows; ++r) {
    const float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int j = 0; j < kCols; ++j) acc[r][j] = accumulate ? cr[j] : 0.0f;
  }
  for (std::int32_t t = 0; t < k; ++t) {
    const float* bt = b + static_cast<std::size_t>(t) * ldb + j0;
    for (int r = 0; r < kRows; ++r) {
      const float ar = elementOf<kTransposeA>(a, lda, i0 + r, t);
      for (int j = 0; j < kCols; ++j) acc[r][j] += ar * bt[j];
    }
  }
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + static_cast<std::size_t>(i0 + r) * ldc + j0;
    for (int j = 0; j < kCols; ++j) cr[j] = acc[r][j];
  }
#endif
}

template <bool kTransposeA, int kRows>
inline void matmulRows(const float* a, std::int32_t lda, const float* b, std::int32_t ldb, float* c,
                       std::int32_t ldc, std::int32_t i0, std::int32_t p, std::int32_t k,
                       bool accumulate) {
  std::int32_t j = 0;
  for (; j + 8 <= p; j += 8)
    matmulTile<kTransposeA, kRows, 2>(a, lda, b, ldb, c, ldc, i0, j, k, accumulate);
  if (j < p) matmulTile<kTransposeA, kRows, 1>(a, lda, b, ldb, c, ldc, i0, j, k, accumulate);
}

}  // namespace internal

/// C = A B, or C += A B with `accumulate`: A is m x k (row i at a + i lda; with kTransposeA,
/// A's column i is stored there, i.e. the argument holds A's transpose), B is k x p (row t at
/// b + t ldb), C is m x p (row i at c + i ldc), p a multiple of 4. Every element of C adds its
/// products in the order t = 0, 1, ..., k - 1 (to 0, or to C's old value), one IEEE operation
/// at a time, so the scalar and the SIMD builds agree bit for bit, and C += A1 B1 then
/// C += A2 B2 equals one product over the stacked sum.
template <bool kTransposeA = false>
inline void matmul(const float* a, std::int32_t lda, const float* b, std::int32_t ldb, float* c,
                   std::int32_t ldc, std::int32_t m, std::int32_t k, std::int32_t p,
                   bool accumulate) {
  std::int32_t i = 0;
  for (; i + 4 <= m; i += 4)
    internal::matmulRows<kTransposeA, 4>(a, lda, b, ldb, c, ldc, i, p, k, accumulate);
  for (; i < m; ++i)
    internal::matmulRows<kTransposeA, 1>(a, lda, b, ldb, c, ldc, i, p, k, accumulate);
}

/// One SGD step: w -= lr (grad + l2 w); `grad` may be null. Returns what adam() returns.
inline float sgd(float* w, const float* grad, std::int32_t n, float learningRate, float l2,
                 bool track) {
  float d0 = 0.0f, d1 = 0.0f, d2 = 0.0f, d3 = 0.0f;
  float old[64];
  for (std::int32_t start = 0; start < n; start += 64) {
    const std::int32_t end = n - start < 64 ? n : start + 64;
    if (track) {
      for (std::int32_t i = start; i < end; ++i) old[i - start] = w[i];
    }
    for (std::int32_t i = start; i < end; ++i) {
      w[i] -= learningRate * ((grad ? grad[i] : 0.0f) + l2 * w[i]);
    }
    if (track) {
      for (std::int32_t i = start; i < end; i += 4) {
        const float* o = old + (i - start);
        d0 += w[i] * w[i] - o[0] * o[0];
        d1 += w[i + 1] * w[i + 1] - o[1] * o[1];
        d2 += w[i + 2] * w[i + 2] - o[2] * o[2];
        d3 += w[i + 3] * w[i + 3] - o[3] * o[3];
      }
    }
  }
  return (d0 + d1) + (d2 + d3);
}

}  // namespace recwasm::kernels
