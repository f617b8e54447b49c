// Randomised truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, algorithms 4.4 and
// 5.1): A [n, d] ≈ U·diag(s)·Vᵀ with k components.
//   Ω  [d, l] Gaussian, l = k + oversampling (capped at min(n, d)), from the caller's stream
//   Q  = orth(A·Ω); then q power iterations Q = orth(A·orth(Aᵀ·Q)), re-orthonormalising at every
//        step because plain powers of A·Aᵀ lose the small directions to rounding in Float
//   B  = Qᵀ·A [l, d], its exact thin SVD B = Ũ·diag(s)·Vᵀ, and U = Q·Ũ, all cut to k
// Signs are fixed so that the largest-magnitude entry of each row of Vᵀ is positive (as
// scikit-learn's svd_flip does), so the factors do not flip with the LAPACK build.

import Support
import Tensors

/// Truncated SVD by random projection.
public enum RandomizedSVD {
    /// The leading singular triplets: u [rows, k], s [k] descending, vt [k, columns], row-major.
    public struct Factors: Sendable {
        /// Left singular vectors as columns of a row-major [rows, k] matrix.
        public let u: [Float]
        /// Singular values, descending.
        public let s: [Float]
        /// Right singular vectors as rows of a row-major [k, columns] matrix.
        public let vt: [Float]
        /// Number of components k.
        public var rank: Int { s.count }
    }

    /// The `rank` leading singular triplets of `a` (fewer when min(rows, columns) is smaller),
    /// with Gaussian draws from `random`.
    public static func factorize(_ a: SparseMatrix, rank: Int, oversampling: Int = 10, powerIterations: Int = 4,
                                 random: inout RandomStream) throws -> Factors {
        guard rank >= 1, oversampling >= 0, powerIterations >= 0 else {
            throw TextError.invalid("truncated SVD needs rank ≥ 1, oversampling ≥ 0 and powerIterations ≥ 0 (got \(rank), \(oversampling), \(powerIterations))")
        }
        let n = a.rows, d = a.columns
        let k = min(rank, n, d)
        if k == 0 { return Factors(u: [], s: [], vt: []) }
        let l = min(k + oversampling, n, d)

        var omega = [Float](repeating: 0, count: d * l)
        for i in omega.indices { omega[i] = random.normal() }
        var q = try LinearAlgebra.orthonormalColumns(a.multiply(omega, width: l), rows: n, columns: l)
        for _ in 0..<powerIterations {
            try Cancellation.check("TF-IDF fitting (truncated SVD)")
            let z = try LinearAlgebra.orthonormalColumns(a.transposeMultiply(q, width: l), rows: d, columns: l)
            q = try LinearAlgebra.orthonormalColumns(a.multiply(z, width: l), rows: n, columns: l)
        }
        // B = Qᵀ·A [l, d] is the transpose of Aᵀ·Q [d, l].
        let b = LinearAlgebra.transpose(a.transposeMultiply(q, width: l), rows: d, columns: l)
        let small = try LinearAlgebra.svd(b, rows: l, columns: d)   // ũ [l, l], s [l], vt [l, d]

        // U = Q·Ũ [n, l], then keep k columns.
        var uFull = [Float](repeating: 0, count: n * l)
        q.withUnsafeBufferPointer { qp in
            small.u.withUnsafeBufferPointer { up in
                uFull.withUnsafeMutableBufferPointer { out in
                    BLAS.gemm(m: n, n: l, k: l, a: qp.baseAddress!, b: up.baseAddress!, c: out.baseAddress!)
                }
            }
        }
        var u = [Float](repeating: 0, count: n * k)
        for i in 0..<n { for j in 0..<k { u[i * k + j] = uFull[i * l + j] } }
        var vt = Array(small.vt[0..<(k * d)])
        for j in 0..<k {
            var largest = 0
            for c in 0..<d where abs(vt[j * d + c]) > abs(vt[j * d + largest]) { largest = c }
            if vt[j * d + largest] < 0 {
                for c in 0..<d { vt[j * d + c] = -vt[j * d + c] }
                for i in 0..<n { u[i * k + j] = -u[i * k + j] }
            }
        }
        return Factors(u: u, s: Array(small.s[0..<k]), vt: vt)
    }
}
