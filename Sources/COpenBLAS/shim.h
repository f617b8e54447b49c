// OpenBLAS: CBLAS (sgemm and friends), thread control and identity, and the few LAPACK routines
// SeqLab calls (OpenBLAS ships LAPACK; Debian has no lapacke.h, so the Fortran symbols are declared
// here with gfortran's hidden string-length arguments).
#include <cblas.h>
#include <stddef.h>

/// Singular value decomposition, divide and conquer (column-major).
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork,
             int *iwork, int *info, size_t jobz_len);
/// QR factorisation (column-major): R in the upper triangle, Householder reflectors below.
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
/// The explicit Q of a QR factorisation from sgeqrf_ (column-major).
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);
