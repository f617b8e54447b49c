// An orthogonal d×d matrix applied to row vectors: y = x·R, so a block of vectors turns in one BLAS
// product. faiss's OPQMatrix stores A with y = A·x; its A is our Rᵀ.

import Tensors

/// An orthogonal matrix R (d×d, row-major) that rotates row vectors: y = x·R.
public struct Rotation: Sendable, Equatable {
    /// Dimension d.
    public let dimension: Int
    /// R, d×d row-major.
    public let matrix: [Float]

    /// A rotation from its matrix; the shape is checked, orthogonality is not (see `orthogonalityError`).
    public init(dimension: Int, matrix: [Float]) throws(QuantizationError) {
        guard dimension >= 1, matrix.count == dimension * dimension else {
            throw .shapeMismatch(what: "a rotation of dimension \(dimension)", expected: "\(dimension)×\(dimension) values",
                                 got: "\(matrix.count) values")
        }
        guard matrix.allSatisfy(\.isFinite) else { throw .nonFinite(what: "the rotation matrix's values") }
        self.dimension = dimension
        self.matrix = matrix
    }

    /// The identity of dimension d.
    public static func identity(_ d: Int) -> Rotation {
        var m = [Float](repeating: 0, count: d * d)
        for i in 0..<d { m[i * d + i] = 1 }
        return Rotation(unchecked: d, matrix: m)
    }

    /// A random rotation: the Q factor of a d×d standard Gaussian matrix drawn from `stream`.
    public static func random(dimension d: Int, stream: RandomStream) throws(QuantizationError) -> Rotation {
        var rng = stream
        let gaussian = (0..<(d * d)).map { _ in rng.normal() }
        do {
            return Rotation(unchecked: d, matrix: try LinearAlgebra.orthonormalColumns(gaussian, rows: d, columns: d))
        } catch { throw .linearAlgebra(error.description) }
    }

    /// The rotation R minimising ‖X·R − Y‖ over orthogonal matrices (orthogonal Procrustes):
    /// R = U·Vᵀ for the SVD Xᵀ·Y = U·S·Vᵀ. X and Y have the same shape.
    public static func procrustes(from x: Vectors, to y: Vectors) throws(QuantizationError) -> Rotation {
        guard x.rows == y.rows, x.dimension == y.dimension else {
            throw .shapeMismatch(what: "Procrustes' target vectors", expected: "\(x.rows)×\(x.dimension) like the source",
                                 got: "\(y.rows)×\(y.dimension)")
        }
        let d = x.dimension
        var xty = [Float](repeating: 0, count: d * d)
        x.values.withUnsafeBufferPointer { a in
            y.values.withUnsafeBufferPointer { b in
                xty.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transA: true, m: d, n: d, k: x.rows, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                }
            }
        }
        let svd: (u: [Float], s: [Float], vt: [Float])
        do { svd = try LinearAlgebra.svd(xty, rows: d, columns: d) } catch { throw .linearAlgebra(error.description) }
        var r = [Float](repeating: 0, count: d * d)
        svd.u.withUnsafeBufferPointer { u in
            svd.vt.withUnsafeBufferPointer { vt in
                r.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: d, n: d, k: d, a: u.baseAddress!, b: vt.baseAddress!, c: c.baseAddress!)
                }
            }
        }
        return Rotation(unchecked: d, matrix: r)
    }

    init(unchecked dimension: Int, matrix: [Float]) {
        self.dimension = dimension
        self.matrix = matrix
    }

    /// x·R for every row of `x`.
    public func apply(_ x: Vectors) throws(QuantizationError) -> Vectors { try product(x, transposed: false) }

    /// y·Rᵀ for every row of `y`: undoes `apply` (R is orthogonal).
    public func applyInverse(_ y: Vectors) throws(QuantizationError) -> Vectors { try product(y, transposed: true) }

    private func product(_ x: Vectors, transposed: Bool) throws(QuantizationError) -> Vectors {
        guard x.dimension == dimension else {
            throw .shapeMismatch(what: "vectors to rotate", expected: "dimension \(dimension)", got: "dimension \(x.dimension)")
        }
        var out = [Float](repeating: 0, count: x.rows * dimension)
        x.values.withUnsafeBufferPointer { a in
            matrix.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(transB: transposed, m: x.rows, n: dimension, k: dimension,
                              a: a.baseAddress!, b: r.baseAddress!, c: o.baseAddress!)
                }
            }
        }
        return Vectors(uncheckedRows: x.rows, dimension: dimension, values: out)
    }

    /// max |RᵀR − I|: 0 for an exact rotation, float rounding (~1e-6) for a computed one.
    public var orthogonalityError: Float {
        let d = dimension
        var gram = [Float](repeating: 0, count: d * d)
        matrix.withUnsafeBufferPointer { r in
            gram.withUnsafeMutableBufferPointer { g in
                BLAS.gemm(transA: true, m: d, n: d, k: d, a: r.baseAddress!, b: r.baseAddress!, c: g.baseAddress!)
            }
        }
        var worst: Float = 0
        for i in 0..<d { for j in 0..<d { worst = max(worst, abs(gram[i * d + j] - (i == j ? 1 : 0))) } }
        return worst
    }
}
