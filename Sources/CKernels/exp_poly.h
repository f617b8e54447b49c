/* The scalar exp every kernel shares, so the vector paths and their portable fallbacks agree bit
   for bit: exp(x) = 2^n · exp(r), n = round(x / ln 2) (halves away from zero), r = x − n·ln 2
   split in two parts for accuracy, exp(r) by Cephes' degree-6 polynomial. Inputs are clamped to
   the normal range of float. */
#ifndef SEQLAB_EXP_POLY_H
#define SEQLAB_EXP_POLY_H

#include <stdint.h>
#include <string.h>

static inline float seqlab_scalar_expf(float x) {
    if (x > 88.3762626647949f) x = 88.3762626647949f;
    if (x < -87.3365478515625f) x = -87.3365478515625f;
    float fx = x * 1.44269504088896341f;
    fx = (float)(int32_t)(fx + (fx >= 0 ? 0.5f : -0.5f));
    float r = x - fx * 0.693359375f + fx * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    int32_t bits = ((int32_t)fx + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#endif
