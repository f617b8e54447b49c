// SeqLab chooses OpenBLAS's kernel set, not the environment: on x86-64 with AVX2 and FMA every
// process that links the engine re-executes itself once with OPENBLAS_CORETYPE=Haswell before main
// (CKernels/kernel_pinning.c), so all such machines compute the same bits. This is the Swift face
// of that rule: what it decides, and who chose the kernels a process runs on.

import CKernels
import Foundation

/// OpenBLAS's kernel set as SeqLab pins it.
public enum KernelPinning {
    /// The kernel set pinned on x86-64 with AVX2 and FMA.
    public static let pinnedKernels = SEQLAB_PINNED_KERNELS
    /// Set this variable to "native" to let OpenBLAS choose (faster on AVX-512 processors; results
    /// then match only runs on the same kernel set, and `seqlab check` compares with a tolerance).
    public static let optOutVariable = SEQLAB_KERNEL_CHOICE_VARIABLE
    /// Set on re-execution, so a process can tell pinned kernels from a user's OPENBLAS_CORETYPE.
    static let markerVariable = SEQLAB_PIN_MARKER_VARIABLE

    /// The kernel set a process with this environment, processor and loaded kernels re-executes
    /// with, or nil (the rule of kernel_pinning.c, which applies it).
    public static func pendingPin(environment: [String: String], avx2: Bool, loadedKernels: String) -> String? {
        guard let kernels = seqlab_kernels_to_pin(environment["OPENBLAS_CORETYPE"], environment[optOutVariable],
                                                  avx2 ? 1 : 0, loadedKernels) else { return nil }
        return String(cString: kernels)
    }

    /// Who chose the kernel set in use: "seqlab" (pinned), "OPENBLAS_CORETYPE" (the user's
    /// variable) or "openblas" (OpenBLAS's own choice for this processor).
    public static var kernelChoice: String {
        let environment = ProcessInfo.processInfo.environment
        if environment[markerVariable] != nil, environment["OPENBLAS_CORETYPE"] == environment[markerVariable] { return "seqlab" }
        if environment["OPENBLAS_CORETYPE"] != nil { return "OPENBLAS_CORETYPE" }
        return "openblas"
    }
}
