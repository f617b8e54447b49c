// The one door to OpenBLAS: every matrix product in SeqLab goes through `gemm` here.

import COpenBLAS

/// OpenBLAS matrix products, thread control and identity.
///
/// Products are split over SeqLab's threads by their shape alone (GemmPartition), so they give the
/// same bits on any number of threads.
public enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major, where op(A) is m×k and op(B) is k×n.
    /// Leading dimensions default to the packed widths; pass them for strided sub-matrices
    /// (attention reads one head's columns out of a [L, H] matrix this way).
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // The empty sum: C = beta·C, and exactly 0 when beta = 0 (C may be uninitialised arena memory).
            for i in 0..<m { for j in 0..<n { let p = c + i * (ldc ?? n) + j; p.pointee = beta == 0 ? 0 : p.pointee * beta } }
            return
        }
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        // Reading the thread count first is what tells OpenBLAS to stay on the calling thread.
        _ = Parallel.threads
        let partition = GemmPartition(m: m, n: n, k: k)
        if partition.parts == 1 {
            call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        split(partition, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Runs the parts of `partition` over the threads. Part p of an M or N split computes its own
    /// rows or columns of C; part p of a K split writes alpha·A_p·B_p into its partial (part 0 into
    /// C with beta), and the partials are added into C in part order.
    private static func split(
        _ partition: GemmPartition, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let parts = partition.parts
        // Operands are read-only and parts write disjoint parts of C or their own partial.
        nonisolated(unsafe) let a = a, b = b, c = c
        switch partition.axis {
        case .m:
            Parallel.run(parts) { p in
                let r0 = partition.start(p), r1 = partition.start(p + 1)
                // op(A) rows r0..<r1: row r of A, or column r of the stored Aᵀ
                let ap = transA ? a + r0 : a + r0 * lda
                call(transA, transB, r1 - r0, n, k, alpha, ap, lda, b, ldb, beta, c + r0 * ldc, ldc)
            }
        case .n:
            Parallel.run(parts) { p in
                let c0 = partition.start(p), c1 = partition.start(p + 1)
                let bp = transB ? b + c0 * ldb : b + c0
                call(transA, transB, m, c1 - c0, k, alpha, a, lda, bp, ldb, beta, c + c0, ldc)
            }
        case .k:
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: max(1, (parts - 1) * m * n))
            defer { partials.deallocate() }
            nonisolated(unsafe) let scratch = partials
            Parallel.run(parts) { p in
                let t0 = partition.start(p), t1 = partition.start(p + 1)
                // op(A) columns t0..<t1 and op(B) rows t0..<t1
                let ap = transA ? a + t0 * lda : a + t0
                let bp = transB ? b + t0 : b + t0 * ldb
                if p == 0 {
                    call(transA, transB, m, n, t1 - t0, alpha, ap, lda, bp, ldb, beta, c, ldc)
                } else {
                    call(transA, transB, m, n, t1 - t0, alpha, ap, lda, bp, ldb, 0, scratch + (p - 1) * m * n, n)
                }
            }
            // C += partial_1 + … in part order, rows split over the threads (each row's sum is in order).
            let rowParts = Parallel.parts(m, minimum: max(1, (1 << 15) / max(1, n)))
            Parallel.run(rowParts) { q in
                for r in Parallel.start(q, of: rowParts, m)..<Parallel.start(q + 1, of: rowParts, m) {
                    let row = c + r * ldc
                    for p in 1..<parts {
                        let partial = scratch + (p - 1) * m * n + r * n
                        for j in 0..<n { row[j] += partial[j] }
                    }
                }
            }
        }
    }

    /// One OpenBLAS call (on the calling thread: SeqLab keeps OpenBLAS single-threaded).
    @inline(__always)
    private static func call(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Number of threads SeqLab's products and loops use (OpenBLAS itself stays on the calling
    /// thread). It starts as OPENBLAS_NUM_THREADS (else OMP_NUM_THREADS, else the cores); results do
    /// not depend on it.
    public static var threads: Int {
        get { Parallel.threads }
        set { Parallel.threads = max(1, newValue) }
    }

    /// Runs `body` with OpenBLAS threading its own products on `count` threads, then back on one.
    /// Only for comparing with a plain call of the library (`seqlab bench gemm`): inside, products
    /// made by plain cblas calls depend on `count`.
    public static func withOpenBLASThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        _ = Parallel.threads
        openblas_set_num_threads(Int32(max(1, count)))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// The threads OpenBLAS itself would use for a product (1 outside `withOpenBLASThreads`).
    static var openBLASThreadCount: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS selected (e.g. "Haswell"); recorded with every run.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS build configuration string.
    public static var config: String { String(cString: openblas_get_config()) }
}
