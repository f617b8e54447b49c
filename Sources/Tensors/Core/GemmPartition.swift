// How `BLAS.gemm` splits a product over threads, decided by the product's shape alone.
//
// OpenBLAS's own threading splits C by the thread count, and its kernels round an element
// differently depending on where the split falls (measured: 1, 2 and 3 threads give three different
// 1600×10000×64 products). So SeqLab keeps OpenBLAS on one thread and splits products itself into
// parts that depend only on (m, n, k); the threads take parts in turn. Any thread count computes
// the same parts, hence the same bits.
//
// The split runs along the largest of the three dimensions, which makes the work repeated per part
// smallest: an M split packs all of B for every part, an N split all of A, and a K split adds one
// partial C [m, n] per part (summed afterwards in part order).

/// The parts of one matrix product.
struct GemmPartition: Equatable {
    /// The dimension split: rows of C, columns of C, or the inner (summed) dimension.
    enum Axis: Equatable { case m, n, k }

    /// The dimension the parts divide.
    let axis: Axis
    /// How many parts (1: one OpenBLAS call).
    let parts: Int
    /// The length of the split dimension.
    let length: Int

    /// Products below this many multiply-adds run as one call: about 20 µs on one core, where
    /// handing parts to threads starts to pay.
    static let serialWork = 1 << 21
    /// Fewest multiply-adds in one part, and fewest rows, columns or inner terms.
    static let minimumPartWork = 1 << 20
    static let minimumPartLength = 128
    /// The most parts (so a product uses at most this many threads). Changing any of these
    /// constants changes results' rounding, which notebooks record.
    static let maxParts = 16
    /// Split starts are multiples of this (the kernels' register blocks divide it), so no part but
    /// the last has a ragged edge.
    static let alignment = 16
    /// The largest partial product (floats) a K split holds per part.
    static let maxPartialFloats = 1 << 20

    /// The split of an m×k by k×n product.
    init(m: Int, n: Int, k: Int) {
        let work = m * n * k
        var axis: Axis = m >= n ? .m : .n
        if k > max(m, n) && m * n <= Self.maxPartialFloats { axis = .k }
        let length = axis == .m ? m : axis == .n ? n : k
        self.axis = axis
        self.length = length
        if work < Self.serialWork {
            parts = 1
        } else {
            parts = max(1, min(Self.maxParts, length / Self.minimumPartLength, work / Self.minimumPartWork))
        }
    }

    /// Where part `p` starts along the split dimension (part `parts` is the end).
    func start(_ p: Int) -> Int {
        if p >= parts { return length }
        return length * p / parts / Self.alignment * Self.alignment
    }
}
