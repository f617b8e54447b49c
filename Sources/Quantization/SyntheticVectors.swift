// Vectors with the structure of sentence embeddings, for benchmarks and tests that must not depend
// on downloaded features: cluster centres plus noise whose dimensions are mixed by a random matrix
// with decaying scales, so the coordinates are correlated (which is what OPQ's rotation exploits).

import Tensors

extension Vectors {
    /// `rows` vectors of `dimension` values around `clusters` Gaussian centres; the noise is
    /// N(0, 1)·diag(decay^j)·M with M a random d×d mixing scaled by 1/√d. Drawn from `stream`.
    public static func clustered(rows: Int, dimension: Int, clusters: Int, decay: Float = 0.9,
                                 stream: RandomStream) -> Vectors {
        precondition(rows >= 0 && dimension >= 1 && clusters >= 1, "clustered: need rows ≥ 0, dimension ≥ 1, clusters ≥ 1")
        var rng = stream
        let d = dimension
        let centres = (0..<(clusters * d)).map { _ in rng.normal() }
        let labels = (0..<rows).map { _ in rng.int(below: clusters) }
        let mixing = (0..<(d * d)).map { _ in rng.normal(std: 1 / Float(d).squareRoot()) }
        var scale: Float = 1
        var scales = [Float](repeating: 0, count: d)
        for j in 0..<d { scales[j] = scale; scale *= decay }
        let noise = (0..<(rows * d)).map { i in rng.normal() * scales[i % d] }
        var values = [Float](repeating: 0, count: rows * d)
        for i in 0..<rows { for j in 0..<d { values[i * d + j] = centres[labels[i] * d + j] } }
        noise.withUnsafeBufferPointer { a in
            mixing.withUnsafeBufferPointer { b in
                values.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: rows, n: d, k: d, a: a.baseAddress!, b: b.baseAddress!, beta: 1, c: c.baseAddress!)
                }
            }
        }
        return Vectors(uncheckedRows: rows, dimension: d, values: values)
    }
}
