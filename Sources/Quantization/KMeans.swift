// Lloyd's k-means with k-means++ seeding, nearest centroids by BLAS products, empty-cluster repair,
// an iteration cap and a relative tolerance. objectives[t] is the sum of squared distances of the
// vectors to their nearest centroid after t updates (objectives[0]: the initial centroids), computed
// exactly from the differences rather than from the BLAS expansion, so the recorded curve shows the
// algorithm's monotone descent instead of rounding noise. The labels returned belong to the
// centroids returned.
//
// Spherical k-means (faiss's `spherical`, used for inner-product coarse quantisers) keeps every
// centroid at unit norm. For unit centroids ‖x − c‖² = ‖x‖² − 2x·c + 1, so the nearest centroid is
// the one of largest inner product and the same L2 machinery serves both; the best unit centroid of
// a cluster is its normalised sum, so the objective still never rises.

import Support
import Tensors

/// How k-means runs.
public struct KMeansOptions: Sendable, Equatable {
    /// Lloyd updates at most (faiss's default niter is 25).
    public var iterations: Int
    /// Stop once an update lowers the objective by no more than this fraction of it (0: stop only
    /// at a fixed point).
    public var tolerance: Double
    /// Unit-norm centroids (inner-product clustering).
    public var spherical: Bool

    /// Options with faiss's iteration count and no early stop before a fixed point.
    public init(iterations: Int = 25, tolerance: Double = 0, spherical: Bool = false) {
        self.iterations = iterations
        self.tolerance = tolerance
        self.spherical = spherical
    }

    func validate() throws(QuantizationError) {
        guard iterations >= 0 else { throw .invalidOption(name: "k-means iterations", value: "\(iterations)", expected: "0 or more") }
        guard tolerance >= 0 && tolerance.isFinite else {
            throw .invalidOption(name: "k-means tolerance", value: "\(tolerance)", expected: "a finite number ≥ 0")
        }
    }
}

/// A fitted k-means: centroids, the assignment they give, and the objective along the way.
public struct KMeansResult: Sendable, Equatable {
    /// Number of centroids k.
    public let clusters: Int
    /// Dimension of the centroids.
    public let dimension: Int
    /// Centroids, k×d row-major.
    public let centroids: [Float]
    /// The nearest centroid of every training vector.
    public let labels: [Int32]
    /// Sum of squared distances to the nearest centroid after each update ([0]: initial centroids).
    public let objectives: [Double]
    /// How many times an empty cluster was re-seeded.
    public let repairs: Int

    /// Lloyd updates performed.
    public var iterations: Int { objectives.count - 1 }
}

/// Lloyd's k-means.
public enum KMeans {
    /// Clusters the rows of `x` into `k` clusters. Seeds with k-means++ from `stream` unless
    /// `initialCentroids` (k×d) are given (a warm start, as faiss's hot-start PQ training does).
    public static func fit(_ x: Vectors, clusters k: Int, options: KMeansOptions = KMeansOptions(),
                           stream: RandomStream, initialCentroids: [Float]? = nil,
                           purpose: String = "k-means") throws(QuantizationError) -> KMeansResult {
        try options.validate()
        guard k >= 1 else { throw .invalidOption(name: "\(purpose) centroids", value: "\(k)", expected: "at least 1") }
        guard x.rows >= k else { throw .tooFewVectors(vectors: x.rows, centroids: k, purpose: purpose) }
        guard x.isFinite else { throw .nonFinite(what: "the vectors given to \(purpose)") }
        let n = x.rows, d = x.dimension
        var centroids: [Float]
        if let initial = initialCentroids {
            guard initial.count == k * d else {
                throw .shapeMismatch(what: "\(purpose) initial centroids", expected: "\(k)×\(d) = \(k * d) values",
                                     got: "\(initial.count) values")
            }
            centroids = initial
        } else {
            centroids = KMeansPlusPlus.seed(x, clusters: k, stream: stream)
        }
        if options.spherical {
            centroids.withUnsafeMutableBufferPointer { c in for j in 0..<k { normalise(c.baseAddress! + j * d, d) } }
        }
        var labels = [Int32](repeating: 0, count: n)
        var search = NearestCentroids()
        var repairs = 0
        var objectives: [Double] = []
        var interrupted = false
        x.values.withUnsafeBufferPointer { xb in
            let xp = xb.baseAddress!
            func assign() -> Double {
                centroids.withUnsafeBufferPointer { c in
                    labels.withUnsafeMutableBufferPointer { l in
                        search.assign(xp, rows: n, dimension: d, rowStride: d, centroids: c.baseAddress!, count: k,
                                      into: l.baseAddress!)
                        var total = 0.0
                        for i in 0..<n { total += Double(squaredDistance(xp + i * d, c.baseAddress! + Int(l[i]) * d, d)) }
                        return total
                    }
                }
            }
            objectives.append(assign())
            var t = 0
            while t < options.iterations {
                // Ctrl-C: stop between iterations (each one is a full pass over the vectors).
                if Cancellation.isRequested { interrupted = true; break }
                t += 1
                var counts = update(xp, rows: n, dimension: d, labels: labels, centroids: &centroids,
                                    spherical: options.spherical)
                repairs += EmptyClusterRepair.repair(xp, rows: n, dimension: d, labels: &labels, counts: &counts,
                                                     centroids: &centroids, spherical: options.spherical)
                let objective = assign()
                let previous = objectives[objectives.count - 1]
                objectives.append(objective)
                if previous - objective <= options.tolerance * previous { break }
            }
        }
        if interrupted { throw .interrupted(what: purpose) }
        return KMeansResult(clusters: k, dimension: d, centroids: centroids, labels: labels, objectives: objectives,
                            repairs: repairs)
    }

    /// Moves every centroid to the mean of its vectors (normalised when spherical); returns the
    /// cluster sizes. Empty clusters keep their old centroid for the repair to replace.
    static func update(_ x: UnsafePointer<Float>, rows n: Int, dimension d: Int, labels: [Int32],
                       centroids: inout [Float], spherical: Bool) -> [Int] {
        let k = centroids.count / d
        var counts = [Int](repeating: 0, count: k)
        var sums = [Double](repeating: 0, count: k * d)
        sums.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                let l = Int(labels[i])
                counts[l] += 1
                let row = x + i * d, sum = s.baseAddress! + l * d
                for j in 0..<d { sum[j] += Double(row[j]) }
            }
        }
        centroids.withUnsafeMutableBufferPointer { c in
            for l in 0..<k where counts[l] > 0 {
                let centre = c.baseAddress! + l * d
                if spherical {
                    var norm = 0.0
                    for j in 0..<d { norm += sums[l * d + j] * sums[l * d + j] }
                    norm = norm.squareRoot()
                    // A cluster whose vectors cancel out has no direction: keep the old centroid.
                    if norm > 0 { for j in 0..<d { centre[j] = Float(sums[l * d + j] / norm) } }
                } else {
                    let scale = 1 / Double(counts[l])
                    for j in 0..<d { centre[j] = Float(sums[l * d + j] * scale) }
                }
            }
        }
        return counts
    }
}
