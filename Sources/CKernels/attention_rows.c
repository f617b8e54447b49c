// Row kernels of attention, where rows are short (L keys, a few dozen): one call does all the rows
// of a head, in AVX2 with fused multiply-adds when the processor has them (checked at run time),
// instead of a Swift loop and a C call per row.
//   softmax rows  s ← softmax(s + mask) row by row (forward)
//   softmax grad  ds ← P ⊙ (ds ⊙ M − Σ_j ds ⊙ M ⊙ P) row by row (backward; M the dropout
//                 multipliers applied to P, or none)
// (A hand-written 6×16 product kernel for the heads' 50×50×32 products was tried here too; on this
// machine it was no faster than cblas_sgemm's 3–4 µs per call, so the products stay with OpenBLAS.)
#include "ckernels.h"
#include "exp_poly.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#define SEQLAB_DISPATCH 1
static int seqlab_rows_have_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#endif

// ---------------------------------------------------------------------------------------------
// Row softmax with an additive mask, and its gradient.

static void seqlab_masked_softmax_generic(float *s, const float *mask, int rows, int n) {
    for (int r = 0; r < rows; r++) {
        float *x = s + (long)r * n;
        const float *mk = mask + (long)r * n;
        float m = -INFINITY;
        for (int j = 0; j < n; j++) { x[j] += mk[j]; if (x[j] > m) m = x[j]; }
        float sum = 0;
        for (int j = 0; j < n; j++) { x[j] = seqlab_scalar_expf(x[j] - m); sum += x[j]; }
        float inv = 1 / sum;
        for (int j = 0; j < n; j++) x[j] *= inv;
    }
}

static void seqlab_softmax_gradient_generic(float *ds, const float *p, const float *keep, int rows, int n) {
    for (int r = 0; r < rows; r++) {
        float *d = ds + (long)r * n;
        const float *pr = p + (long)r * n, *kr = keep ? keep + (long)r * n : 0;
        float dot = 0;
        for (int j = 0; j < n; j++) { if (kr) d[j] *= kr[j]; dot += d[j] * pr[j]; }
        for (int j = 0; j < n; j++) d[j] = pr[j] * (d[j] - dot);
    }
}

#ifdef SEQLAB_DISPATCH
// exp of 8 lanes: the same steps as seqlab_scalar_expf, with fused multiply-adds.
__attribute__((target("avx2,fma"))) static inline __m256 seqlab_rows_exp8(__m256 x) {
    x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365478515625f));
    __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 r2 = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

__attribute__((target("avx2,fma"))) static inline float seqlab_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) static inline float seqlab_hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Full 8-lane blocks in vectors, the last n mod 8 entries one by one (masked loads and stores are
// slow on AMD processors).
__attribute__((target("avx2,fma"))) static void seqlab_masked_softmax_avx2(float *s, const float *mask, int rows, int n) {
    int full = n / 8 * 8;
    for (int r = 0; r < rows; r++) {
        float *x = s + (long)r * n;
        const float *mk = mask + (long)r * n;
        __m256 mx = _mm256_set1_ps(-INFINITY);
        int j = 0;
        for (; j < full; j += 8) {
            __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(mk + j));
            _mm256_storeu_ps(x + j, v);
            mx = _mm256_max_ps(mx, v);
        }
        float m = full > 0 ? seqlab_hmax8(mx) : -INFINITY;
        for (; j < n; j++) { x[j] += mk[j]; if (x[j] > m) m = x[j]; }
        __m256 shift = _mm256_set1_ps(m), sum8 = _mm256_setzero_ps();
        for (j = 0; j < full; j += 8) {
            __m256 e = seqlab_rows_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), shift));
            _mm256_storeu_ps(x + j, e);
            sum8 = _mm256_add_ps(sum8, e);
        }
        float sum = seqlab_hsum8(sum8);
        for (; j < n; j++) { x[j] = seqlab_scalar_expf(x[j] - m); sum += x[j]; }
        float inv = 1 / sum;
        __m256 inv8 = _mm256_set1_ps(inv);
        for (j = 0; j < full; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), inv8));
        for (; j < n; j++) x[j] *= inv;
    }
}

__attribute__((target("avx2,fma"))) static void seqlab_softmax_gradient_avx2(float *ds, const float *p, const float *keep,
                                                                           int rows, int n) {
    int full = n / 8 * 8;
    for (int r = 0; r < rows; r++) {
        float *d = ds + (long)r * n;
        const float *pr = p + (long)r * n, *kr = keep ? keep + (long)r * n : 0;
        __m256 dot8 = _mm256_setzero_ps();
        int j = 0;
        for (; j < full; j += 8) {
            __m256 v = _mm256_loadu_ps(d + j);
            if (kr) { v = _mm256_mul_ps(v, _mm256_loadu_ps(kr + j)); _mm256_storeu_ps(d + j, v); }
            dot8 = _mm256_fmadd_ps(v, _mm256_loadu_ps(pr + j), dot8);
        }
        float dot = seqlab_hsum8(dot8);
        for (; j < n; j++) { if (kr) d[j] *= kr[j]; dot += d[j] * pr[j]; }
        __m256 total = _mm256_set1_ps(dot);
        for (j = 0; j < full; j += 8) {
            __m256 v = _mm256_sub_ps(_mm256_loadu_ps(d + j), total);
            _mm256_storeu_ps(d + j, _mm256_mul_ps(_mm256_loadu_ps(pr + j), v));
        }
        for (; j < n; j++) d[j] = pr[j] * (d[j] - dot);
    }
}
#endif

void seqlab_masked_softmax_rows(float *s, const float *mask, int rows, int n) {
    if (n <= 0) return;
#ifdef SEQLAB_DISPATCH
    if (seqlab_rows_have_avx2_fma()) { seqlab_masked_softmax_avx2(s, mask, rows, n); return; }
#endif
    seqlab_masked_softmax_generic(s, mask, rows, n);
}

void seqlab_softmax_gradient_rows(float *ds, const float *p, const float *keep, int rows, int n) {
    if (n <= 0) return;
#ifdef SEQLAB_DISPATCH
    if (seqlab_rows_have_avx2_fma()) { seqlab_softmax_gradient_avx2(ds, p, keep, rows, n); return; }
#endif
    seqlab_softmax_gradient_generic(ds, p, keep, rows, n);
}
