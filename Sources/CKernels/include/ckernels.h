// Plain C baselines: what a direct call of the BLAS achieves, measured in the same process and run
// as the engine, so `seqlab bench` can state the engine's speed as a ratio.
#ifndef SEQLAB_CKERNELS_H
#define SEQLAB_CKERNELS_H

/// Seconds per call of cblas_sgemm (row-major, no transposes) for an m×k by k×n product, best of
/// `repeats` timed calls after one warm-up; buffers are allocated and filled here.
double seqlab_plain_sgemm_seconds(int m, int n, int k, int repeats);

/// Monotonic wall clock in seconds.
double seqlab_now_seconds(void);

#endif
