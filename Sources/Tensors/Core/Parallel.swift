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

    /// How many parts to split `count` units of work into: one per BLAS thread, but none smaller
    /// than `minimum` units.
    static func parts(_ count: Int, minimum: Int) -> Int {
        max(1, min(BLAS.threads, count / max(1, minimum)))
    }

    /// Start of part `p` of `parts` over 0..<count (the last part ends at count).
    @inline(__always)
    static func start(_ p: Int, of parts: Int, _ count: Int) -> Int { count * p / parts }
}

/// A value handed to other threads on the caller's word that they use it safely.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
