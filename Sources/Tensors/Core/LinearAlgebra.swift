// Factorisations from OpenBLAS's LAPACK, for the few places that need more than products:
// truncated SVD of TF-IDF matrices, orthogonal Procrustes in OPQ, orthonormal bases.
// LAPACK is column-major; a row-major m×n buffer is the column-major n×m transpose, and the
// wrappers below use that identity instead of copying where they can.

import COpenBLAS

/// A failure reported by LAPACK (the routine and its `info` code).
public struct LinearAlgebraError: Error, CustomStringConvertible, Sendable {
    /// The LAPACK routine that failed.
    public let routine: String
    /// LAPACK's `info`: < 0 names a bad argument, > 0 a failure to converge; Int.max a non-finite input.
    public let info: Int
    /// What went wrong and what to do.
    public var description: String {
        if info == Int.max { return "error: \(routine): the matrix holds NaN or Inf values; check the inputs that made it" }
        return info > 0
            ? "error: \(routine) did not converge (info \(info)); the matrix may be badly scaled"
            : "error: \(routine) rejected argument \(-info) (a bug in SeqLab; please report it)"
    }
}

/// Dense factorisations over row-major Float buffers.
public enum LinearAlgebra {
    /// The thin SVD of a row-major m×n matrix: A = U·diag(s)·Vᵀ with k = min(m, n),
    /// U m×k and Vᵀ k×n row-major, s descending.
    public static func svd(_ a: [Float], rows m: Int, columns n: Int) throws(LinearAlgebraError)
        -> (u: [Float], s: [Float], vt: [Float]) {
        precondition(a.count == m * n, "svd: buffer of \(a.count) values is not \(m)×\(n)")
        let k = min(m, n)
        if k == 0 { return ([], [], []) }
        // LAPACK may return NaN factors with info 0 on non-finite input: refuse it here instead.
        guard a.allSatisfy(\.isFinite) else { throw LinearAlgebraError(routine: "sgesdd", info: .max) }
        // Row-major A is column-major B = Aᵀ (n×m). B = U_B·S·V_Bᵀ gives A = V_B·S·U_Bᵀ, and the
        // column-major buffers of V_Bᵀ (k×m) and U_B (n×k) are exactly row-major U_A and V_Aᵀ.
        var b = a
        var s = [Float](repeating: 0, count: k)
        var ub = [Float](repeating: 0, count: n * k)     // column-major n×k = row-major Vᵀ_A (k×n)
        var vtb = [Float](repeating: 0, count: k * m)    // column-major k×m = row-major U_A (m×k)
        var rowsB = Int32(n), colsB = Int32(m), ldb = Int32(n), ldu = Int32(n), ldvt = Int32(k)
        var info: Int32 = 0
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var query: Float = 0
        var lwork: Int32 = -1
        var job = Int8(UInt8(ascii: "S"))
        sgesdd_(&job, &rowsB, &colsB, &b, &ldb, &s, &ub, &ldu, &vtb, &ldvt, &query, &lwork, &iwork, &info, 1)
        guard info == 0 else { throw LinearAlgebraError(routine: "sgesdd", info: Int(info)) }
        lwork = Int32(query.rounded(.up))
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_(&job, &rowsB, &colsB, &b, &ldb, &s, &ub, &ldu, &vtb, &ldvt, &work, &lwork, &iwork, &info, 1)
        guard info == 0 else { throw LinearAlgebraError(routine: "sgesdd", info: Int(info)) }
        return (vtb, s, ub)
    }

    /// An orthonormal basis of the columns of a row-major m×n matrix (m ≥ n): Q m×n row-major
    /// with QᵀQ = I and the same column span (Householder QR).
    public static func orthonormalColumns(_ a: [Float], rows m: Int, columns n: Int) throws(LinearAlgebraError)
        -> [Float] {
        precondition(a.count == m * n && m >= n, "orthonormalColumns: need an m×n buffer with m ≥ n")
        if n == 0 { return [] }
        guard a.allSatisfy(\.isFinite) else { throw LinearAlgebraError(routine: "sgeqrf", info: .max) }
        var c = transpose(a, rows: m, columns: n)          // column-major m×n
        var mm = Int32(m), nn = Int32(n), lda = Int32(m), info: Int32 = 0
        var tau = [Float](repeating: 0, count: n)
        var query: Float = 0
        var lwork: Int32 = -1
        sgeqrf_(&mm, &nn, &c, &lda, &tau, &query, &lwork, &info)
        lwork = Int32(query.rounded(.up))
        var work = [Float](repeating: 0, count: Int(max(lwork, 1)))
        sgeqrf_(&mm, &nn, &c, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LinearAlgebraError(routine: "sgeqrf", info: Int(info)) }
        lwork = -1
        sorgqr_(&mm, &nn, &nn, &c, &lda, &tau, &query, &lwork, &info)
        lwork = Int32(query.rounded(.up))
        work = [Float](repeating: 0, count: Int(max(lwork, 1)))
        sorgqr_(&mm, &nn, &nn, &c, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LinearAlgebraError(routine: "sorgqr", info: Int(info)) }
        return transpose(c, rows: n, columns: m)           // back to row-major m×n
    }

    /// The transpose of a row-major rows×columns buffer (row-major columns×rows).
    public static func transpose(_ a: [Float], rows: Int, columns: Int) -> [Float] {
        var t = [Float](repeating: 0, count: a.count)
        for i in 0..<rows { for j in 0..<columns { t[j * rows + i] = a[i * columns + j] } }
        return t
    }
}
