#include "ckernels.h"
#include <stdint.h>
#include <string.h>

/* exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x − n·ln 2 split in two parts for accuracy,
   exp(r) by Cephes' degree-6 polynomial. Inputs are clamped to the normal range of float. */
static inline float fast_expf(float x) {
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

float seqlab_exp_shifted_sum(float *z, int n, float shift) {
    for (int i = 0; i < n; i++) z[i] = fast_expf(z[i] - shift);
    double sum = 0;
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) lane[k] += z[i + k];
    for (int k = 0; k < 8; k++) sum += lane[k];
    for (; i < n; i++) sum += z[i];
    return (float)sum;
}
