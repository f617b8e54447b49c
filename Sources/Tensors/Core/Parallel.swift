// Splitting loops over the cores. OpenBLAS threads its own products; the loops between them (the
// softmax over a vocabulary, the optimizer's updates) use this, with as many parts as BLAS threads.

import Dispatch

enum Parallel {
    /// Runs `body(part)` for every part in 0..<parts, concurrently when there is more than one.
    static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        // The parts write disjoint memory through raw pointers, which the compiler cannot check.
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { work.value($0) }
        }
    }

    /// How many parts to split `count` units of work into: one per BLAS thread (or `partsLimit`),
    /// but none smaller than `minimum` units.
    static func parts(_ count: Int, minimum: Int) -> Int {
        max(1, min(partsLimit ?? BLAS.threads, count / max(1, minimum)))
    }

    /// When set, the number of parts instead of the BLAS thread count. Tests set it to check that
    /// the split loops give the same bits in one part and in several, with OpenBLAS's own thread
    /// count (which changes its products' rounding) held fixed.
    nonisolated(unsafe) static var partsLimit: Int?

    /// Start of part `p` of `parts` over 0..<count (the last part ends at count).
    @inline(__always)
    static func start(_ p: Int, of parts: Int, _ count: Int) -> Int { count * p / parts }
}

/// A value handed to other threads on the caller's word that they use it safely.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
