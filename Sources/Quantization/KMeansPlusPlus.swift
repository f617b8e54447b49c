// k-means++ seeding (Arthur & Vassilvitskii 2007): the first centroid is a uniform draw, each next
// one a vector drawn with probability proportional to its squared distance to the nearest centroid
// chosen so far. Vectors that coincide with a chosen centroid have weight 0 and are never drawn
// again; when every weight is 0 (fewer distinct vectors than centroids) the draw falls back to
// uniform, and the duplicate centroids that follow are what empty-cluster repair is for.

import Tensors

/// k-means++ seeding from a named random stream.
public enum KMeansPlusPlus {
    /// `k` initial centroids (k×d, row-major) chosen among the rows of `x` (at least `k` of them).
    public static func seed(_ x: Vectors, clusters k: Int, stream: RandomStream) -> [Float] {
        precondition(k >= 1 && x.rows >= k, "k-means++ needs at least \(k) vectors, got \(x.rows)")
        var rng = stream
        let n = x.rows, d = x.dimension
        var centroids = [Float](repeating: 0, count: k * d)
        var nearest = [Float](repeating: .infinity, count: n)
        x.values.withUnsafeBufferPointer { xb in
            let xp = xb.baseAddress!
            centroids.withUnsafeMutableBufferPointer { cb in
                nearest.withUnsafeMutableBufferPointer { near in
                    var chosen = rng.int(below: n)
                    for c in 0..<k {
                        if c > 0 { chosen = draw(near, &rng) }
                        let centre = cb.baseAddress! + c * d
                        centre.update(from: xp + chosen * d, count: d)
                        for i in 0..<n { near[i] = min(near[i], squaredDistance(xp + i * d, centre, d)) }
                    }
                }
            }
        }
        return centroids
    }

    /// An index drawn with probability proportional to `weights` (uniform when they are all 0).
    private static func draw(_ weights: UnsafeMutableBufferPointer<Float>, _ rng: inout RandomStream) -> Int {
        var total = 0.0
        for w in weights { total += Double(w) }
        guard total > 0 else { return rng.int(below: weights.count) }
        let target = rng.nextDouble() * total
        var sum = 0.0
        var last = 0
        for (i, w) in weights.enumerated() where w > 0 {
            sum += Double(w)
            if target < sum { return i }
            last = i
        }
        return last   // rounding left the target at the very end of the total
    }
}
