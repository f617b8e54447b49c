// OpenBLAS: CBLAS (sgemm and friends), thread control and identity, LAPACK (sgesvd, for later).
#include <cblas.h>
