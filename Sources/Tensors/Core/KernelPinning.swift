// SeqLab chooses OpenBLAS's kernel set, not the environment. OpenBLAS picks its kernels when it is
// loaded, from the processor or OPENBLAS_CORETYPE, and different kernel sets round differently (the
// AVX-512 ones change a notebook's losses in the fourth digit and can move an early stop). On every
// x86-64 processor with AVX2 and FMA, SeqLab asks for the Haswell (AVX2) set, which all of them run,
// so they all compute the same bits. The variable must be set before OpenBLAS loads, so the
// executable re-executes itself with it once.

import CKernels
import Foundation

/// Pins OpenBLAS's kernel set for reproducible numbers.
public enum KernelPinning {
    /// The kernel set pinned on x86-64 with AVX2 and FMA.
    public static let pinnedKernels = "Haswell"
    /// Set this variable to "native" to let OpenBLAS choose (faster on AVX-512 processors; results
    /// then match only runs on the same kernel set, and `seqlab check` compares with a tolerance).
    public static let optOutVariable = "SEQLAB_BLAS_KERNELS"

    /// What pinning would do in this process: nil when nothing is to be done (not x86-64 with AVX2,
    /// OPENBLAS_CORETYPE already set by the user, opted out, or the pinned set already in use).
    public static func pendingPin(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  avx2: Bool = seqlab_cpu_avx2_fma() != 0,
                                  loadedKernels: String = BLAS.coreName) -> String? {
        #if arch(x86_64)
        guard avx2, environment["OPENBLAS_CORETYPE"] == nil, environment[optOutVariable] != "native",
              loadedKernels != pinnedKernels else { return nil }
        return pinnedKernels
        #else
        return nil
        #endif
    }

    /// Re-executes this process with OPENBLAS_CORETYPE set when `pendingPin` says so; returns
    /// otherwise, or when the re-execution fails (the run then records the kernels it has).
    /// Call it first thing in `main`, before any output.
    public static func pinByReexecuting() {
        guard let kernels = pendingPin() else { return }
        setenv("OPENBLAS_CORETYPE", kernels, 1)
        setenv(markerVariable, kernels, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(markerVariable)
    }

    /// Set on re-execution, so the process can tell its pinned kernels from a user's OPENBLAS_CORETYPE.
    static let markerVariable = "SEQLAB_PINNED_KERNELS"

    /// Who chose the kernel set in use: "seqlab" (pinned), "OPENBLAS_CORETYPE" (the user's
    /// variable) or "openblas" (OpenBLAS's own choice for this processor).
    public static var kernelChoice: String {
        let environment = ProcessInfo.processInfo.environment
        if environment[markerVariable] != nil, environment["OPENBLAS_CORETYPE"] == environment[markerVariable] { return "seqlab" }
        if environment["OPENBLAS_CORETYPE"] != nil { return "OPENBLAS_CORETYPE" }
        return "openblas"
    }
}
