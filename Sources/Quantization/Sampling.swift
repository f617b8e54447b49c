// Training subsets: faiss trains k-means on at most max_points_per_centroid·k vectors and OPQ on at
// most max_train_points, drawn at random. The draw comes from a named stream, and the chosen rows
// keep their original order so the subset does not depend on how the permutation was produced.

import Tensors

/// Random training subsets.
enum Sampling {
    /// `x` itself when it has at most `limit` rows (or no limit), else `limit` random rows of it.
    static func atMost(_ limit: Int?, of x: Vectors, stream: RandomStream) throws(QuantizationError) -> Vectors {
        guard let limit, x.rows > limit else { return x }
        var rng = stream
        let chosen = Array(rng.permutation(x.rows).prefix(limit)).sorted()
        return try x.selecting(chosen)
    }
}
