// Shared data for the quantisation tests: small clustered vectors from named streams, brute-force
// references, and the monotonicity check every curve goes through.

import Quantization
import Tensors

enum Fixtures {
    /// Clustered, correlated vectors (the generator the benchmark uses).
    static func vectors(rows: Int = 600, dimension: Int = 16, clusters: Int = 12, seed: UInt64 = 7) -> Vectors {
        Vectors.clustered(rows: rows, dimension: dimension, clusters: clusters, stream: Seed(seed).stream("vectors"))
    }

    /// True when every value is at most the one before it, up to a relative rounding allowance.
    static func nonIncreasing(_ values: [Double], slack: Double = 1e-6) -> Bool {
        zip(values, values.dropFirst()).allSatisfy { $1 <= $0 * (1 + slack) + 1e-12 }
    }

    /// The nearest of `k` centroids (k×d) to `v` by an explicit loop in Double.
    static func bruteNearest(_ v: ArraySlice<Float>, centroids: [Float], k: Int) -> Int {
        let d = v.count
        var best = 0, bestDistance = Double.infinity
        for c in 0..<k {
            var s = 0.0
            for (j, x) in v.enumerated() { let diff = Double(x) - Double(centroids[c * d + j]); s += diff * diff }
            if s < bestDistance { bestDistance = s; best = c }
        }
        return best
    }
}
