// The one door to OpenBLAS: every matrix product in SeqLab goes through `gemm` here.

import COpenBLAS

/// OpenBLAS matrix products, thread control and identity.
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
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? (transA ? m : k)),
            b, Int32(ldb ?? (transB ? k : n)),
            beta, c, Int32(ldc ?? n))
    }

    /// Number of threads OpenBLAS uses for one product.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// The kernel family OpenBLAS selected (e.g. "Haswell"); recorded with every run.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS build configuration string.
    public static var config: String { String(cString: openblas_get_config()) }
}
