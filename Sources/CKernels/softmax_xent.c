#include "ckernels.h"
#include "exp_poly.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SEQLAB_X86 1
#endif

/* One row, portable: returns the sum of exp(z + b − max) and leaves those values in z; *maxOut and
   *targetOut receive the max and the target's logit (bias included). */
static float row_exp_generic(float *z, const float *bias, int n, int target, float *maxOut, float *targetOut) {
    float m = -INFINITY;
    if (bias) { for (int j = 0; j < n; j++) { z[j] += bias[j]; if (z[j] > m) m = z[j]; } }
    else { for (int j = 0; j < n; j++) if (z[j] > m) m = z[j]; }
    *targetOut = z[target];
    double sum = 0;
    for (int j = 0; j < n; j++) { z[j] = seqlab_scalar_expf(z[j] - m); sum += z[j]; }
    *maxOut = m;
    return (float)sum;
}

static void row_scale_generic(float *z, int n, float scale, float *db) {
    if (db) { for (int j = 0; j < n; j++) { z[j] *= scale; db[j] += z[j]; } }
    else { for (int j = 0; j < n; j++) z[j] *= scale; }
}

#ifdef SEQLAB_X86
__attribute__((target("avx2,fma")))
static inline __m256 exp8(__m256 x) {
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

__attribute__((target("avx2,fma")))
static float row_exp_avx2(float *z, const float *bias, int n, int target, float *maxOut, float *targetOut) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
    int j = 0;
    if (bias) {
        for (; j + 16 <= n; j += 16) {
            __m256 a = _mm256_add_ps(_mm256_loadu_ps(z + j), _mm256_loadu_ps(bias + j));
            __m256 b = _mm256_add_ps(_mm256_loadu_ps(z + j + 8), _mm256_loadu_ps(bias + j + 8));
            _mm256_storeu_ps(z + j, a); _mm256_storeu_ps(z + j + 8, b);
            m0 = _mm256_max_ps(m0, a); m1 = _mm256_max_ps(m1, b);
        }
    } else {
        for (; j + 16 <= n; j += 16) {
            m0 = _mm256_max_ps(m0, _mm256_loadu_ps(z + j));
            m1 = _mm256_max_ps(m1, _mm256_loadu_ps(z + j + 8));
        }
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_max_ps(m0, m1));
    float m = lanes[0];
    for (int k = 1; k < 8; k++) if (lanes[k] > m) m = lanes[k];
    for (; j < n; j++) { if (bias) z[j] += bias[j]; if (z[j] > m) m = z[j]; }
    *targetOut = z[target];
    *maxOut = m;
    __m256 shift = _mm256_set1_ps(m), s0 = _mm256_setzero_ps(), s1 = s0;
    j = 0;
    for (; j + 16 <= n; j += 16) {
        __m256 a = exp8(_mm256_sub_ps(_mm256_loadu_ps(z + j), shift));
        __m256 b = exp8(_mm256_sub_ps(_mm256_loadu_ps(z + j + 8), shift));
        _mm256_storeu_ps(z + j, a); _mm256_storeu_ps(z + j + 8, b);
        s0 = _mm256_add_ps(s0, a); s1 = _mm256_add_ps(s1, b);
    }
    _mm256_storeu_ps(lanes, _mm256_add_ps(s0, s1));
    double sum = 0;
    for (int k = 0; k < 8; k++) sum += lanes[k];
    for (; j < n; j++) { z[j] = seqlab_scalar_expf(z[j] - m); sum += z[j]; }
    return (float)sum;
}

__attribute__((target("avx2,fma")))
static void row_scale_avx2(float *z, int n, float scale, float *db) {
    __m256 s = _mm256_set1_ps(scale);
    int j = 0;
    if (db) {
        for (; j + 8 <= n; j += 8) {
            __m256 a = _mm256_mul_ps(_mm256_loadu_ps(z + j), s);
            _mm256_storeu_ps(z + j, a);
            _mm256_storeu_ps(db + j, _mm256_add_ps(_mm256_loadu_ps(db + j), a));
        }
        for (; j < n; j++) { z[j] *= scale; db[j] += z[j]; }
    } else {
        for (; j + 8 <= n; j += 8) _mm256_storeu_ps(z + j, _mm256_mul_ps(_mm256_loadu_ps(z + j), s));
        for (; j < n; j++) z[j] *= scale;
    }
}

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#endif

double seqlab_softmax_xent_rows(float *z, int rows, int n, const float *bias, const int32_t *targets,
                                int hasIgnore, int32_t ignoreIndex, float inverseCount, int wantGradient,
                                float *dBias) {
    int avx = 0;
#ifdef SEQLAB_X86
    avx = has_avx2();
#endif
    double total = 0;
    for (int r = 0; r < rows; r++) {
        float *row = z + (size_t)r * n;
        int32_t t = targets[r];
        if (hasIgnore && t == ignoreIndex) {
            if (wantGradient) memset(row, 0, sizeof(float) * (size_t)n);
            continue;
        }
        float m, positive, sum;
#ifdef SEQLAB_X86
        if (avx) sum = row_exp_avx2(row, bias, n, t, &m, &positive);
        else
#endif
        sum = row_exp_generic(row, bias, n, t, &m, &positive);
        total += (double)(logf(sum) + m - positive);
        if (!wantGradient) continue;
        /* dZ row = (softmax − onehot) / count */
        float scale = inverseCount / sum;
#ifdef SEQLAB_X86
        if (avx) row_scale_avx2(row, n, scale, dBias);
        else
#endif
        row_scale_generic(row, n, scale, dBias);
        row[t] -= inverseCount;
        if (dBias) dBias[t] -= inverseCount;
    }
    return total;
}
