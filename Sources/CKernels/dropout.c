// Dropout masks from a counter-based hash: the draw for element i of a mask depends only on the
// mask's key and on i, so any part of a mask can be filled on any thread, in any order, and the
// mask is the same bit for bit.
//   h_j = SplitMix64 finaliser of (key + (j + 1) · 0x9E3779B97F4A7C15)     (j = i / 2)
//   u_i = the top 24 bits of h_j's high half (i even) or of its low half (i odd)
//   m_i = 0 if u_i < threshold else keep
// The first line is SplitMix64's output j from state `key` (Steele, Lea & Flood 2014), a generator
// that passes BigCrush; each 64-bit output serves two elements.
#include "ckernels.h"

#if defined(__x86_64__) && defined(__clang__)
#define SEQLAB_DISPATCH 1
static int seqlab_has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2");
    }
    return cached;
}
#endif

static inline __attribute__((always_inline)) uint64_t seqlab_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline __attribute__((always_inline)) uint64_t seqlab_dropout_hash(uint64_t key, long j) {
    return seqlab_mix64(key + (uint64_t)(j + 1) * 0x9E3779B97F4A7C15ull);
}

// Elements [start, end) of the mask that pm[0] starts; with x, also y[i] = x[i] · pm[i].
static inline __attribute__((always_inline)) void seqlab_dropout_body(float *pm, const float *x, float *y, long start,
                                                                     long end, uint64_t key, uint32_t threshold,
                                                                     float keep) {
    long i = start;
    if (i < end && (i & 1)) {   // an odd first element: the low half of its pair
        pm[i] = ((uint32_t)seqlab_dropout_hash(key, i / 2)) >> 8 < threshold ? 0.0f : keep;
        i++;
    }
    for (long j = i / 2; j < end / 2; j++) {
        uint64_t h = seqlab_dropout_hash(key, j);
        uint32_t hi = (uint32_t)(h >> 40), lo = ((uint32_t)h) >> 8;
        pm[2 * j] = hi < threshold ? 0.0f : keep;
        pm[2 * j + 1] = lo < threshold ? 0.0f : keep;
    }
    if ((end & 1) && end - 1 >= i) {   // an odd last element: the high half of its pair
        pm[end - 1] = (uint32_t)(seqlab_dropout_hash(key, end / 2) >> 40) < threshold ? 0.0f : keep;
    }
    if (x) for (long k = start; k < end; k++) y[k] = x[k] * pm[k];
}

#ifdef SEQLAB_DISPATCH
__attribute__((target("avx2"))) static void seqlab_dropout_avx2(float *pm, const float *x, float *y, long start, long end,
                                                               uint64_t key, uint32_t threshold, float keep) {
    seqlab_dropout_body(pm, x, y, start, end, key, threshold, keep);
}
#endif

void seqlab_dropout(float *mask, const float *x, float *y, long start, long end, uint64_t key, uint32_t threshold,
                    float keep) {
#ifdef SEQLAB_DISPATCH
    if (seqlab_has_avx2()) { seqlab_dropout_avx2(mask, x, y, start, end, key, threshold, keep); return; }
#endif
    seqlab_dropout_body(mask, x, y, start, end, key, threshold, keep);
}
