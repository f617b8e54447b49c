// Splitting work over SeqLab's threads. SeqLab, not OpenBLAS, owns the threads: OpenBLAS runs every
// product on the calling thread, and `BLAS.gemm` splits large products into parts fixed by their
// shape (GemmPartition). Loops split the same way, so no result depends on the thread count: loops
// whose parts write disjoint outputs may split by threads (`parts`), and loops whose parts are
// summed split by size alone (`fixedParts`) and are summed in part order.

import CKernels
import COpenBLAS
import Dispatch

enum Parallel {
    /// The number of threads SeqLab's products and loops use. It starts as the count OpenBLAS chose
    /// at load (OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, else the cores), and reading it the first
    /// time tells OpenBLAS to stay on the calling thread.
    nonisolated(unsafe) static var threads: Int = takeOverOpenBLASThreads()

    /// OpenBLAS's thread count at load, after which OpenBLAS runs single-threaded.
    private static func takeOverOpenBLASThreads() -> Int {
        let count = Int(openblas_get_num_threads())
        openblas_set_num_threads(1)
        return max(1, count)
    }

    /// Runs `body(part)` for every part in 0..<parts on up to `threads` threads; on one thread, or
    /// inside another parallel loop, the parts run in order on the caller's thread.
    static func run(_ parts: Int, _ body: (Int) -> Void) {
        let parts = max(1, parts)
        let workers = min(parts, threads)
        if workers <= 1 || seqlab_parallel_nested() != 0 {
            for p in 0..<parts { body(p) }
            return
        }
        // The parts write disjoint memory through raw pointers, which the compiler cannot check.
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                seqlab_parallel_enter()
                defer { seqlab_parallel_leave() }
                var p = w
                while p < parts { work.value(p); p += workers }
            }
        }
    }

    /// How many parts to split `count` units of work into: one per thread (or `partsLimit`), but
    /// none smaller than `minimum` units. Only for loops whose parts write disjoint outputs, where
    /// the split cannot change a value.
    static func parts(_ count: Int, minimum: Int) -> Int {
        max(1, min(partsLimit ?? threads, count / max(1, minimum)))
    }

    /// The largest split `fixedParts` makes (so at most this many threads share such a loop).
    static let maxFixedParts = 16

    /// How many parts to split `count` units into when the parts' results are summed: from the size
    /// alone, so the sum's rounding is the same on any number of threads.
    static func fixedParts(_ count: Int, minimum: Int) -> Int {
        max(1, min(maxFixedParts, count / max(1, minimum)))
    }

    /// When set, the number of parts instead of the thread count. Tests set it to check that the
    /// split loops give the same bits in one part and in several.
    nonisolated(unsafe) static var partsLimit: Int?

    /// Start of part `p` of `parts` over 0..<count (the last part ends at count).
    @inline(__always)
    static func start(_ p: Int, of parts: Int, _ count: Int) -> Int { count * p / parts }
}

/// A value handed to other threads on the caller's word that they use it safely.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
