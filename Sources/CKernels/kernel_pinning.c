// SeqLab chooses OpenBLAS's kernel set before any SeqLab code runs. OpenBLAS picks its kernels when
// it is loaded, from the processor or OPENBLAS_CORETYPE, and different sets round differently (the
// AVX-512 ones move a notebook's losses in the fourth digit and can move an early stop). On every
// x86-64 processor with AVX2 and FMA SeqLab asks for the Haswell (AVX2) set, which all of them run,
// so they all compute the same bits. The variable only counts before OpenBLAS loads, so a process
// linking the engine (the seqlab executable, the test bundle, the fuzzers) re-executes itself once
// with it set, from a constructor that runs before main.
//
// Under valgrind set OPENBLAS_CORETYPE yourself: the re-executed process would leave the tool.
#include "ckernels.h"
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *seqlab_kernels_to_pin(const char *coretype, const char *choice, int avx2, const char *loaded) {
#if defined(__x86_64__)
    if (!avx2 || coretype != NULL) return NULL;
    if (choice != NULL && strcmp(choice, "native") == 0) return NULL;
    if (loaded != NULL && strcmp(loaded, SEQLAB_PINNED_KERNELS) == 0) return NULL;
    return SEQLAB_PINNED_KERNELS;
#else
    (void)coretype; (void)choice; (void)avx2; (void)loaded;
    return NULL;
#endif
}

#if defined(__linux__)
// glibc passes main's arguments to constructors.
__attribute__((constructor)) static void seqlab_pin_blas_kernels(int argc, char **argv, char **envp) {
    (void)argc; (void)envp;
    const char *kernels = seqlab_kernels_to_pin(getenv("OPENBLAS_CORETYPE"), getenv(SEQLAB_KERNEL_CHOICE_VARIABLE),
                                                seqlab_cpu_avx2_fma(), openblas_get_corename());
    if (kernels == NULL || argv == NULL) return;
    setenv("OPENBLAS_CORETYPE", kernels, 1);
    setenv(SEQLAB_PIN_MARKER_VARIABLE, kernels, 1);
    execv("/proc/self/exe", argv);
    // exec failed: go on with the kernels OpenBLAS chose; runs record them in their numeric identity.
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(SEQLAB_PIN_MARKER_VARIABLE);
}
#endif
