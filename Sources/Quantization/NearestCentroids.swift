// The nearest centroid of every vector by squared L2 distance, the inner loop of k-means and of
// encoding. ‖x − c‖² = ‖x‖² − 2x·c + ‖c‖², and ‖x‖² does not change the argmin, so one BLAS product
// per block of rows gives ‖c‖² − 2x·c for all pairs: the product starts from the centroid norms
// (beta = 1) and adds −2·X·Cᵀ. Rows go in blocks so the score buffer stays small (≤ 4 MB) however
// many vectors there are. Ties go to the lowest centroid index.

import Tensors

/// Assigns vectors to their nearest centroids; holds the score buffer between calls.
struct NearestCentroids {
    private var scores: [Float] = []
    private var norms: [Float] = []

    /// Writes the nearest of `k` centroids (k×d, row-major) for each of `n` vectors of dimension
    /// `d` that start `rowStride` floats apart (a sub-space of wider vectors reads in place).
    mutating func assign(_ x: UnsafePointer<Float>, rows n: Int, dimension d: Int, rowStride: Int,
                         centroids: UnsafePointer<Float>, count k: Int, into labels: UnsafeMutablePointer<Int32>) {
        if n == 0 { return }
        let block = max(1, min(n, (1 << 20) / k))
        if scores.count < block * k { scores = [Float](repeating: 0, count: block * k) }
        if norms.count < k { norms = [Float](repeating: 0, count: k) }
        norms.withUnsafeMutableBufferPointer { cn in
            for j in 0..<k { let c = centroids + j * d; cn[j] = squaredDistanceToZero(c, d) }
            scores.withUnsafeMutableBufferPointer { s in
                let s = s.baseAddress!
                var start = 0
                while start < n {
                    let m = min(block, n - start)
                    for i in 0..<m { (s + i * k).update(from: cn.baseAddress!, count: k) }
                    BLAS.gemm(transB: true, m: m, n: k, k: d, alpha: -2, a: x + start * rowStride, lda: rowStride,
                              b: centroids, ldb: d, beta: 1, c: s, ldc: k)
                    for i in 0..<m { labels[start + i] = Int32(argmin(s + i * k, k)) }
                    start += m
                }
            }
        }
    }
}

/// ‖c‖² over `count` floats.
@inline(__always)
func squaredDistanceToZero(_ c: UnsafePointer<Float>, _ count: Int) -> Float {
    var s: Float = 0
    for j in 0..<count { s += c[j] * c[j] }
    return s
}

/// Index of the smallest of `count` floats (the first on ties), in one vectorised pass: eight
/// lanes keep their own minimum and where it was, then the lanes are merged.
@inline(__always)
func argmin(_ v: UnsafePointer<Float>, _ count: Int) -> Int {
    var j = 0
    var bestValue = Float.infinity, bestIndex = 0
    if count >= 8 {
        var minima = SIMD8<Float>(repeating: .infinity)
        var where_ = SIMD8<Int32>(repeating: 0)
        var lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        let raw = UnsafeRawPointer(v)
        while j + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            let smaller = x .< minima
            minima.replace(with: x, where: smaller)
            where_.replace(with: lanes, where: smaller)
            lanes &+= 8
            j += 8
        }
        for l in 0..<8 where minima[l] < bestValue || (minima[l] == bestValue && Int(where_[l]) < bestIndex) {
            bestValue = minima[l]
            bestIndex = Int(where_[l])
        }
    }
    while j < count { if v[j] < bestValue { bestValue = v[j]; bestIndex = j }; j += 1 }
    return bestIndex   // 0 when every score is NaN; the callers check their inputs are finite
}
