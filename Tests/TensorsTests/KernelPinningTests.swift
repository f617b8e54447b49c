// The kernel-set rule, and that it holds in this very process: the test bundle links the engine,
// so its constructor re-executed it with the pinned set before the tests began.

import CKernels
import TestSupport
import XCTest
@testable import Tensors

final class KernelPinningTests: XCTestCase {
    func testTheRule() throws {
        #if arch(x86_64)
        XCTAssertEqual(KernelPinning.pendingPin(environment: [:], avx2: true, loadedKernels: "SkylakeX"), "Haswell")
        XCTAssertEqual(KernelPinning.pendingPin(environment: [:], avx2: true, loadedKernels: "Zen"), "Haswell")
        XCTAssertNil(KernelPinning.pendingPin(environment: [:], avx2: true, loadedKernels: "Haswell"), "already pinned")
        XCTAssertNil(KernelPinning.pendingPin(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], avx2: true, loadedKernels: "SkylakeX"),
                     "the user's choice stands")
        XCTAssertNil(KernelPinning.pendingPin(environment: ["SEQLAB_BLAS_KERNELS": "native"], avx2: true, loadedKernels: "SkylakeX"))
        XCTAssertNil(KernelPinning.pendingPin(environment: [:], avx2: false, loadedKernels: "Sandybridge"),
                     "without AVX2 the pinned set cannot run")
        #else
        XCTAssertNil(KernelPinning.pendingPin(environment: [:], avx2: false, loadedKernels: "NEOVERSEN1"))
        #endif
    }

    func testThisProcessRunsOnThePinnedSet() throws {
        // The environment as the user gave it: without what the re-execution added.
        var environment = ProcessInfo.processInfo.environment
        if KernelPinning.kernelChoice == "seqlab" { environment["OPENBLAS_CORETYPE"] = nil }
        guard KernelPinning.pendingPin(environment: environment, avx2: seqlab_cpu_avx2_fma() != 0, loadedKernels: "") != nil else {
            try skipTest("no pinning here: not x86-64 with AVX2, or OPENBLAS_CORETYPE / SEQLAB_BLAS_KERNELS=native set by the user")
        }
        XCTAssertEqual(BLAS.coreName, KernelPinning.pinnedKernels)
        // Re-executed by the constructor, unless OpenBLAS picked the pinned set on its own.
        XCTAssertTrue(["seqlab", "openblas"].contains(KernelPinning.kernelChoice), KernelPinning.kernelChoice)
    }
}
