#include "ckernels.h"
#include <cblas.h>
#include <stdlib.h>
#include <time.h>

double seqlab_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double seqlab_plain_sgemm_seconds(int m, int n, int k, int repeats) {
    float *a = malloc(sizeof(float) * (size_t)m * k);
    float *b = malloc(sizeof(float) * (size_t)k * n);
    float *c = malloc(sizeof(float) * (size_t)m * n);
    if (!a || !b || !c) { free(a); free(b); free(c); return -1; }
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)((i * 7919) % 1000) * 1e-3f - 0.5f;
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = (float)((i * 104729) % 1000) * 1e-3f - 0.5f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = seqlab_now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        double dt = seqlab_now_seconds() - t0;
        if (dt < best) best = dt;
    }
    free(a); free(b); free(c);
    return best;
}
