// Plain C baselines: what a direct call of the BLAS achieves, measured in the same process and run
// as the engine, so `seqlab bench` can state the engine's speed as a ratio.
#ifndef SEQLAB_CKERNELS_H
#define SEQLAB_CKERNELS_H

#include <stdint.h>

/// Seconds per call of cblas_sgemm (row-major, no transposes) for an m×k by k×n product, best of
/// `repeats` timed calls after one warm-up; buffers are allocated and filled here.
double seqlab_plain_sgemm_seconds(int m, int n, int k, int repeats);

/// Monotonic wall clock in seconds.
double seqlab_now_seconds(void);

/// 1 when the engine's row kernels take their AVX2/FMA path (x86-64 processors that have both),
/// else 0: part of a run's numeric identity, since the two paths round differently.
int seqlab_cpu_avx2_fma(void);

/// The OpenBLAS kernel set SeqLab pins on x86-64 with AVX2 and FMA.
#define SEQLAB_PINNED_KERNELS "Haswell"
/// The variable that, set to "native", leaves the kernel set to OpenBLAS.
#define SEQLAB_KERNEL_CHOICE_VARIABLE "SEQLAB_BLAS_KERNELS"
/// The variable a re-executed process finds set to the kernels it was pinned to.
#define SEQLAB_PIN_MARKER_VARIABLE "SEQLAB_PINNED_KERNELS"

/// The kernel set a process should re-execute with, or NULL for none: NULL unless on x86-64 with
/// `avx2` (AVX2 and FMA), no OPENBLAS_CORETYPE (`coretype`) set, SEQLAB_BLAS_KERNELS (`choice`) not
/// "native", and OpenBLAS not already on the pinned set (`loaded`). A constructor in this library
/// applies it before main.
const char *seqlab_kernels_to_pin(const char *coretype, const char *choice, int avx2, const char *loaded);

/// Marks the calling thread as a parallel loop's worker (calls nest; leave undoes one enter).
void seqlab_parallel_enter(void);
/// Undoes one seqlab_parallel_enter on the calling thread.
void seqlab_parallel_leave(void);
/// 1 when the calling thread is inside a parallel loop's worker, else 0.
int seqlab_parallel_nested(void);



/// Replaces z[i] by exp(z[i] − shift) for i < n and returns their sum (accumulated in double).
/// A Cephes-style polynomial exp (relative error about 2e-7) written so the compiler vectorises it:
/// the softmax of a 10,000-item vocabulary spends most of its time here.
float seqlab_exp_shifted_sum(float *z, int n, float shift);

/// The softmax cross-entropy of `rows` logit rows z[rows, n] (bias [n] added first when not NULL)
/// against `targets`; rows whose target equals ignoreIndex (when hasIgnore) are skipped. Returns
/// Σ (log Σ exp − z_target) over counted rows, in double. With wantGradient, each row is replaced by
/// dZ = (softmax − onehot) · inverseCount (ignored rows by zeros) and, when dBias is not NULL, dZ is
/// added into dBias[n]. Uses AVX2 and FMA when the processor has them (checked at run time).
double seqlab_softmax_xent_rows(float *z, int rows, int n, const float *bias, const int32_t *targets,
                                int hasIgnore, int32_t ignoreIndex, float inverseCount, int wantGradient,
                                float *dBias);

/// Layer norm of rows x[rows, c]: xhat = (x − mean) / √(var + eps) (population variance),
/// y = xhat · gamma + beta; inverseStd[rows] keeps 1/√(var + eps) for the backward pass.
void seqlab_layer_norm_forward(const float *x, long rows, int c, const float *gamma, const float *beta,
                               float eps, float *y, float *xhat, float *inverseStd);

/// The layer-norm input gradient of rows given dY: dX is added into gx, or stored when accumulate
/// is 0. Rows are independent, so any split of them gives the same values.
void seqlab_layer_norm_backward(const float *gy, const float *xhat, const float *inverseStd, const float *gamma,
                                long rows, int c, float *gx, int accumulate);

/// Accumulates the gain and shift gradients of channels j0 ..< j1 over all rows, in row order:
/// gGamma[j] += Σ dy·x̂, gBeta[j] += Σ dy (either skipped when NULL).
void seqlab_layer_norm_parameter_gradients(const float *gy, const float *xhat, long rows, int c, int j0, int j1,
                                           float *gGamma, float *gBeta);

/// One Adam step over n elements (PyTorch's order of operations): g += l2Decay·p, p *= decoupledScale,
/// m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p −= stepSize · m / (√v / sqrtCorrection2 + eps).
void seqlab_adam_update(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float stepSize, float sqrtCorrection2, float eps, float l2Decay, float decoupledScale);
/// GELU, exact erf form, y[i] = x[i]/2 · (1 + erf(x[i]/√2)) for i < n, with a vectorised erf
/// (absolute error below 4e-7).
void seqlab_gelu_forward(const float *x, float *y, long n);

/// The GELU gradient gy[i] · (Φ(x[i]) + x[i]·φ(x[i])) for i < n, added into gx[i], or stored when
/// accumulate is 0.
void seqlab_gelu_backward(const float *x, const float *gy, float *gx, long n, int accumulate);

/// Dropout multipliers for elements [start, end) of a mask keyed by `key` (pointers are to element 0
/// of the whole tensor): mask[i] = 0 when draw i (24 bits) is below `threshold`, else `keep`; when x
/// is not NULL, also y[i] = x[i] · mask[i]. Draw i is a hash of (key, i) (SplitMix64 of the pair
/// index, one half each), so any range gives the same values whichever thread fills it.
void seqlab_dropout(float *mask, const float *x, float *y, long start, long end, uint64_t key, uint32_t threshold,
                    float keep);

/// s[r, :] ← softmax(s[r, :] + mask[r, :]) for each of `rows` rows of n (max-subtracted).
void seqlab_masked_softmax_rows(float *s, const float *mask, int rows, int n);

/// The softmax gradient row by row: with dP in ds and P the probabilities, ds ← P ⊙ (dP ⊙ keep −
/// Σ_j dP ⊙ keep ⊙ P) (keep the dropout multipliers applied to P before use, or NULL).
void seqlab_softmax_gradient_rows(float *ds, const float *p, const float *keep, int rows, int n);

/// Makes standard output line-buffered, also when it is a file or a pipe, so a long run's output
/// shows as it happens (Swift 6 cannot name C's `stdout` global from Swift code).
void seqlab_line_buffer_stdout(void);
#endif
