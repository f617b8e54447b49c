// Row loops of the engine that the compiler vectorises only when it may reassociate sums: layer norm
// and the Adam update. Each body is compiled twice, for AVX2/FMA and for the baseline, and the
// public function picks one by a run-time check of the processor.
#include "ckernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#define SEQLAB_DISPATCH 1
static int seqlab_has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#endif

static inline __attribute__((always_inline)) void seqlab_layer_norm_forward_body(const float *x, long rows, int c, const float *gamma, const float *beta,
                               float eps, float *y, float *xhat, float *inverseStd) {
#pragma clang fp reassociate(on)
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * c;
        float sum = 0;
        for (int j = 0; j < c; j++) sum += row[j];
        float mean = sum / (float)c;
        float squares = 0;
        for (int j = 0; j < c; j++) { float d = row[j] - mean; squares += d * d; }
        float inv = (float)(1.0 / sqrt((double)(squares / (float)c) + (double)eps));
        inverseStd[r] = inv;
        float *h = xhat + r * c, *out = y + r * c;
        for (int j = 0; j < c; j++) {
            float v = (row[j] - mean) * inv;
            h[j] = v;
            out[j] = v * gamma[j] + beta[j];
        }
    }
}

#ifdef SEQLAB_DISPATCH
__attribute__((target("avx2,fma"))) static void seqlab_layer_norm_forward_avx2(const float *x, long rows, int c, const float *gamma, const float *beta,
                               float eps, float *y, float *xhat, float *inverseStd) {
    seqlab_layer_norm_forward_body(x, rows, c, gamma, beta, eps, y, xhat, inverseStd);
}
#endif

void seqlab_layer_norm_forward(const float *x, long rows, int c, const float *gamma, const float *beta,
                               float eps, float *y, float *xhat, float *inverseStd) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_layer_norm_forward_avx2(x, rows, c, gamma, beta, eps, y, xhat, inverseStd); return; }
#endif
    seqlab_layer_norm_forward_body(x, rows, c, gamma, beta, eps, y, xhat, inverseStd);
}

static inline __attribute__((always_inline)) void seqlab_layer_norm_backward_body(const float *gy, const float *xhat, const float *inverseStd, const float *gamma,
                                long rows, int c, float *gx, int accumulate) {
#pragma clang fp reassociate(on)
    for (long r = 0; r < rows; r++) {
        const float *d = gy + r * c, *h = xhat + r * c;
        // dx = inv/C · (C·dĥ − Σdĥ − ĥ·Σ(dĥ·ĥ)), with dĥ = dy ⊙ γ
        float sum = 0, dot = 0;
        for (int j = 0; j < c; j++) { float dh = d[j] * gamma[j]; sum += dh; dot += dh * h[j]; }
        float inv = inverseStd[r], invC = 1 / (float)c;
        float *out = gx + r * c;
        if (accumulate) {
            for (int j = 0; j < c; j++) {
                float dh = d[j] * gamma[j];
                out[j] += inv * (dh - invC * sum - h[j] * invC * dot);
            }
        } else {
            for (int j = 0; j < c; j++) {
                float dh = d[j] * gamma[j];
                out[j] = inv * (dh - invC * sum - h[j] * invC * dot);
            }
        }
    }
}

static inline __attribute__((always_inline)) void seqlab_layer_norm_parameter_gradients_body(const float *gy, const float *xhat,
                                long rows, int c, int j0, int j1, float *gGamma, float *gBeta) {
    for (long r = 0; r < rows; r++) {
        const float *d = gy + r * c, *h = xhat + r * c;
        if (gGamma) for (int j = j0; j < j1; j++) gGamma[j] += d[j] * h[j];
        if (gBeta) for (int j = j0; j < j1; j++) gBeta[j] += d[j];
    }
}

#ifdef SEQLAB_DISPATCH
__attribute__((target("avx2,fma"))) static void seqlab_layer_norm_backward_avx2(const float *gy, const float *xhat, const float *inverseStd, const float *gamma,
                                long rows, int c, float *gx, int accumulate) {
    seqlab_layer_norm_backward_body(gy, xhat, inverseStd, gamma, rows, c, gx, accumulate);
}
__attribute__((target("avx2,fma"))) static void seqlab_layer_norm_parameter_gradients_avx2(const float *gy, const float *xhat,
                                long rows, int c, int j0, int j1, float *gGamma, float *gBeta) {
    seqlab_layer_norm_parameter_gradients_body(gy, xhat, rows, c, j0, j1, gGamma, gBeta);
}
#endif

void seqlab_layer_norm_backward(const float *gy, const float *xhat, const float *inverseStd, const float *gamma,
                                long rows, int c, float *gx, int accumulate) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_layer_norm_backward_avx2(gy, xhat, inverseStd, gamma, rows, c, gx, accumulate); return; }
#endif
    seqlab_layer_norm_backward_body(gy, xhat, inverseStd, gamma, rows, c, gx, accumulate);
}

void seqlab_layer_norm_parameter_gradients(const float *gy, const float *xhat, long rows, int c, int j0, int j1,
                                           float *gGamma, float *gBeta) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_layer_norm_parameter_gradients_avx2(gy, xhat, rows, c, j0, j1, gGamma, gBeta); return; }
#endif
    seqlab_layer_norm_parameter_gradients_body(gy, xhat, rows, c, j0, j1, gGamma, gBeta);
}

static inline __attribute__((always_inline)) void seqlab_adam_update_body(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float stepSize, float sqrtCorrection2, float eps, float l2Decay, float decoupledScale) {
#pragma clang fp contract(off)
    float a1 = 1 - beta1, a2 = 1 - beta2;
    if (l2Decay == 0 && decoupledScale == 1) {
        for (long i = 0; i < n; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + a1 * gi, vi = beta2 * v[i] + a2 * gi * gi;
            m[i] = mi; v[i] = vi;
            p[i] -= stepSize * mi / (sqrtf(vi) / sqrtCorrection2 + eps);
        }
        return;
    }
    for (long i = 0; i < n; i++) {
        float gi = g[i] + l2Decay * p[i];
        float pi = p[i] * decoupledScale;
        float mi = beta1 * m[i] + a1 * gi, vi = beta2 * v[i] + a2 * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] = pi - stepSize * mi / (sqrtf(vi) / sqrtCorrection2 + eps);
    }
}

#ifdef SEQLAB_DISPATCH
__attribute__((target("avx2,fma"))) static void seqlab_adam_update_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float stepSize, float sqrtCorrection2, float eps, float l2Decay, float decoupledScale) {
    seqlab_adam_update_body(p, g, m, v, n, beta1, beta2, stepSize, sqrtCorrection2, eps, l2Decay, decoupledScale);
}
#endif

void seqlab_adam_update(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float stepSize, float sqrtCorrection2, float eps, float l2Decay, float decoupledScale) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_adam_update_avx2(p, g, m, v, n, beta1, beta2, stepSize, sqrtCorrection2, eps, l2Decay, decoupledScale); return; }
#endif
    seqlab_adam_update_body(p, g, m, v, n, beta1, beta2, stepSize, sqrtCorrection2, eps, l2Decay, decoupledScale);
}

// GELU, exact (erf) form, vectorisable: erf by a rational approximation on [−4, 4] (odd degree-13
// numerator over even degree-8 denominator, as Eigen's and XLA's float erf; absolute error below
// 4e-7, and ±1 outside), exp by the Cephes polynomial of fast_exp.c without branches.
static inline __attribute__((always_inline)) float seqlab_erf_approx(float a) {
    float x = a > 4.f ? 4.f : (a < -4.f ? -4.f : a);
    float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p + -2.10102402082508e-06f;
    p = x2 * p + -5.69250639462346e-05f;
    p = x2 * p + -7.34990630326855e-04f;
    p = x2 * p + -2.95459980854025e-03f;
    p = x2 * p + -1.60960333262415e-02f;
    p = x * p;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = x2 * q + -1.68282697438203e-03f;
    q = x2 * q + -7.37332916720468e-03f;
    q = x2 * q + -1.42647390514189e-02f;
    return p / q;
}

static inline __attribute__((always_inline)) float seqlab_exp_approx(float x) {
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365478515625f ? -87.3365478515625f : x;
    float fx = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - fx * 0.693359375f + fx * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    union { int32_t i; float f; } scale = { .i = ((int32_t)fx + 127) << 23 };
    return p * scale.f;
}

static inline __attribute__((always_inline)) void seqlab_gelu_forward_body(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + seqlab_erf_approx(x[i] * 0.7071067811865476f));
}

static inline __attribute__((always_inline)) void seqlab_gelu_backward_body(const float *x, const float *gy, float *gx, long n,
                                                                           int accumulate) {
    if (accumulate) {
        for (long i = 0; i < n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + seqlab_erf_approx(v * 0.7071067811865476f));
            gx[i] += gy[i] * (cdf + v * seqlab_exp_approx(-0.5f * v * v) * 0.3989422804014327f);
        }
    } else {
        for (long i = 0; i < n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + seqlab_erf_approx(v * 0.7071067811865476f));
            gx[i] = gy[i] * (cdf + v * seqlab_exp_approx(-0.5f * v * v) * 0.3989422804014327f);
        }
    }
}

#ifdef SEQLAB_DISPATCH
__attribute__((target("avx2,fma"))) static void seqlab_gelu_forward_avx2(const float *x, float *y, long n) {
    seqlab_gelu_forward_body(x, y, n);
}
__attribute__((target("avx2,fma"))) static void seqlab_gelu_backward_avx2(const float *x, const float *gy, float *gx, long n,
                                                                          int accumulate) {
    seqlab_gelu_backward_body(x, gy, gx, n, accumulate);
}
#endif

void seqlab_gelu_forward(const float *x, float *y, long n) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_gelu_forward_avx2(x, y, n); return; }
#endif
    seqlab_gelu_forward_body(x, y, n);
}

void seqlab_gelu_backward(const float *x, const float *gy, float *gx, long n, int accumulate) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2_fma()) { seqlab_gelu_backward_avx2(x, gy, gx, n, accumulate); return; }
#endif
    seqlab_gelu_backward_body(x, gy, gx, n, accumulate);
}

int seqlab_cpu_avx2_fma(void) {
#ifdef SEQLAB_DISPATCH
    return seqlab_has_avx2_fma();
#else
    return 0;
#endif
}
