// What decides the bits a run computes: the processor architecture and whether the engine's own
// kernels take their AVX2/FMA path, the BLAS library and the kernel set it picked, and the version
// of SeqLab's product split. Two runs with the same identity compute the same bits for the same
// script; the thread count is recorded too, but results do not depend on it.

import CKernels
import Foundation

/// The numeric identity of this process.
public struct NumericIdentity: Equatable, Sendable {
    /// The version of how SeqLab splits products and sums (GemmPartition, fixed loop parts). It
    /// changes whenever a change there changes rounding, so older recordings are compared with a
    /// tolerance rather than exactly.
    public static let splitVersion = 1

    /// The processor architecture, with "+avx2" when the engine's kernels use AVX2/FMA.
    public var architecture: String
    /// The BLAS library and version, e.g. "OpenBLAS 0.3.21".
    public var blas: String
    /// The kernel set the BLAS picked, e.g. "Haswell".
    public var kernels: String
    /// SeqLab's split version (see `splitVersion`).
    public var split: Int
    /// Threads in use (informational: it does not change results).
    public var threads: Int

    /// An identity from its parts.
    public init(architecture: String, blas: String, kernels: String, split: Int, threads: Int) {
        self.architecture = architecture
        self.blas = blas
        self.kernels = kernels
        self.split = split
        self.threads = threads
    }

    /// This process's identity.
    public static var current: NumericIdentity {
        #if arch(x86_64)
        let arch = seqlab_cpu_avx2_fma() != 0 ? "x86_64+avx2" : "x86_64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "other"
        #endif
        // openblas_get_config() starts "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."
        let words = BLAS.config.split(separator: " ")
        let blas = words.count >= 2 ? "\(words[0]) \(words[1])" : BLAS.config
        return NumericIdentity(architecture: arch, blas: blas, kernels: BLAS.coreName,
                               split: splitVersion, threads: BLAS.threads)
    }

    /// Whether runs under `self` and `other` compute the same bits (everything but the threads agrees).
    public func computesLike(_ other: NumericIdentity) -> Bool {
        architecture == other.architecture && blas == other.blas && kernels == other.kernels && split == other.split
    }

    /// Everything that decides the bits (all but the threads), as one line: a key for values
    /// computed once and kept, such as cached text vectors, so that none computed under other
    /// numerics is served.
    public var bitsKey: String { "\(architecture), \(blas), \(kernels) kernels, split \(split)" }

    /// One line, as notebooks and run records write it:
    /// `x86_64+avx2, OpenBLAS 0.3.21, Haswell kernels, split 1, 2 threads`.
    public var description: String {
        "\(architecture), \(blas), \(kernels) kernels, split \(split), \(threads) thread\(threads == 1 ? "" : "s")"
    }

    /// Reads `description`'s form back; nil when `text` is not in it.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 5, parts[2].hasSuffix(" kernels"), parts[3].hasPrefix("split "),
              let split = Int(parts[3].dropFirst(6)),
              let threads = Int(parts[4].split(separator: " ").first ?? "") else { return nil }
        self.init(architecture: parts[0], blas: parts[1], kernels: String(parts[2].dropLast(8)),
                  split: split, threads: threads)
    }
}
