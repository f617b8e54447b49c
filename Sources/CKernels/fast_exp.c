/* The row softmax kernels: exp of a shifted row and its sum (vectorised where the CPU allows). */
#include "ckernels.h"
#include "exp_poly.h"
#include <stdint.h>
#include <string.h>

float seqlab_exp_shifted_sum(float *z, int n, float shift) {
    for (int i = 0; i < n; i++) z[i] = seqlab_scalar_expf(z[i] - shift);
    double sum = 0;
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) lane[k] += z[i + k];
    for (int k = 0; k < 8; k++) sum += lane[k];
    for (; i < n; i++) sum += z[i];
    return (float)sum;
}
