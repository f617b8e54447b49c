// Re-seeding clusters that lost all their vectors in a Lloyd update. faiss copies a large cluster's
// centroid and nudges the two copies apart by ±1/1024 per coordinate; here the empty centroid takes
// the farthest member of the largest cluster that has a spread (that member moves to it), and only
// when every candidate cluster is a pile of identical vectors does it fall back to faiss's nudged
// copy. Moving a centroid that owns nothing, or a vector to a centroid on top of it, never raises
// the objective, so k-means stays monotone through a repair (faiss's symmetric nudge does not).

import Tensors

/// Re-seeds empty clusters by splitting large ones.
enum EmptyClusterRepair {
    /// Gives every empty cluster (counts[c] == 0) a new centroid; returns how many were re-seeded.
    /// `labels` and `counts` are updated for the vectors that move.
    static func repair(_ x: UnsafePointer<Float>, rows n: Int, dimension d: Int, labels: inout [Int32],
                       counts: inout [Int], centroids: inout [Float], spherical: Bool) -> Int {
        let k = counts.count
        let empty = (0..<k).filter { counts[$0] == 0 }
        if empty.isEmpty { return 0 }
        // Each vector's distance to its own (updated) centroid, and each cluster's farthest member.
        var distance = [Float](repeating: 0, count: n)
        var farthest = [Int](repeating: -1, count: k)
        centroids.withUnsafeBufferPointer { c in
            for i in 0..<n {
                let l = Int(labels[i])
                distance[i] = squaredDistance(x + i * d, c.baseAddress! + l * d, d)
                if farthest[l] < 0 || distance[i] > distance[farthest[l]] { farthest[l] = i }
            }
        }
        for target in empty {
            // The largest cluster with a member away from its centroid (lowest index on ties).
            var donor = -1
            for j in 0..<k where counts[j] > 1 && farthest[j] >= 0 && distance[farthest[j]] > 0 {
                if donor < 0 || counts[j] > counts[donor] { donor = j }
            }
            if donor >= 0 {
                let p = farthest[donor]
                centroids.withUnsafeMutableBufferPointer { c in
                    let dst = c.baseAddress! + target * d
                    dst.update(from: x + p * d, count: d)
                    if spherical { normalise(dst, d) }
                    distance[p] = squaredDistance(x + p * d, dst, d)
                }
                labels[p] = Int32(target)
                counts[donor] -= 1
                counts[target] = 1
                farthest[target] = p
                farthest[donor] = -1
                for i in 0..<n where Int(labels[i]) == donor {
                    if farthest[donor] < 0 || distance[i] > distance[farthest[donor]] { farthest[donor] = i }
                }
            } else {
                // Only piles of identical vectors are left: a nudged copy of the largest, as faiss does.
                var largest = 0
                for j in 1..<k where counts[j] > counts[largest] { largest = j }
                let eps: Float = 1.0 / 1024
                for j in 0..<d {
                    centroids[target * d + j] = centroids[largest * d + j] * (j % 2 == 0 ? 1 + eps : 1 - eps)
                }
                if spherical { centroids.withUnsafeMutableBufferPointer { normalise($0.baseAddress! + target * d, d) } }
            }
        }
        return empty.count
    }
}

/// Scales a vector to unit L2 norm in place (a zero vector stays zero).
@inline(__always)
func normalise(_ v: UnsafeMutablePointer<Float>, _ count: Int) {
    let norm = squaredDistanceToZero(v, count).squareRoot()
    guard norm > 0 else { return }
    for j in 0..<count { v[j] /= norm }
}
