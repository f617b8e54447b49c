// Product quantisation (Jégou et al. 2011): a vector of dimension d is cut into D sub-vectors of
// width d/D, and each sub-vector is replaced by the nearest of K centroids learnt for its sub-space
// by k-means; a code is D bytes when K ≤ 256. Training follows faiss's ProductQuantizer: one k-means
// per sub-space (here seeded by k-means++ from the stream derived for that sub-space), on at most
// `maxPointsPerCentroid`·K vectors drawn at random when there are more, as faiss samples.

import Tensors

/// How a product quantiser is trained.
public struct ProductQuantizerOptions: Sendable, Equatable {
    /// Sub-spaces D (faiss's M); the dimension must be a multiple of it.
    public var subspaces: Int
    /// Centroids per sub-space K, at most 256 so a code fits a byte (8 bits → 256).
    public var centroids: Int
    /// k-means per sub-space (faiss: 25 iterations).
    public var kmeans: KMeansOptions
    /// Train on at most this many vectors per centroid, sampled at random (faiss: 256); nil: all.
    public var maxPointsPerCentroid: Int?

    /// faiss's defaults for `subspaces`×8-bit PQ.
    public init(subspaces: Int = 32, centroids: Int = 256, kmeans: KMeansOptions = KMeansOptions(),
                maxPointsPerCentroid: Int? = 256) {
        self.subspaces = subspaces
        self.centroids = centroids
        self.kmeans = kmeans
        self.maxPointsPerCentroid = maxPointsPerCentroid
    }

    func validate(dimension: Int) throws(QuantizationError) {
        guard subspaces >= 1 else { throw .invalidOption(name: "sub-spaces", value: "\(subspaces)", expected: "at least 1") }
        guard dimension % subspaces == 0 else { throw .indivisibleDimension(dimension: dimension, subspaces: subspaces) }
        guard (1...256).contains(centroids) else {
            throw .invalidOption(name: "centroids per sub-space", value: "\(centroids)", expected: "1...256 (at most 8 bits)")
        }
        if let m = maxPointsPerCentroid, m < 1 {
            throw .invalidOption(name: "max points per centroid", value: "\(m)", expected: "at least 1, or none")
        }
        try kmeans.validate()
    }
}

/// A trained product quantiser: D sub-spaces of K centroids each.
public struct ProductQuantizer: Sendable, Equatable {
    /// Dimension d of the vectors it encodes.
    public let dimension: Int
    /// Number of sub-spaces D; a code has D entries.
    public let subspaces: Int
    /// Centroids per sub-space K.
    public let centroidsPerSubspace: Int
    /// Centroids as [D, K, d/D], row-major.
    public let centroids: [Float]

    /// Width d/D of a sub-vector.
    public var subDimension: Int { dimension / subspaces }

    /// A quantiser from its centroids ([D, K, d/D] row-major), checking the shape.
    public init(dimension: Int, subspaces: Int, centroidsPerSubspace: Int, centroids: [Float]) throws(QuantizationError) {
        try ProductQuantizerOptions(subspaces: subspaces, centroids: centroidsPerSubspace).validate(dimension: dimension)
        guard centroids.count == dimension * centroidsPerSubspace else {
            throw .shapeMismatch(what: "PQ centroids", expected: "[\(subspaces), \(centroidsPerSubspace), \(dimension / subspaces)]"
                                 + " = \(dimension * centroidsPerSubspace) values", got: "\(centroids.count) values")
        }
        guard centroids.allSatisfy(\.isFinite) else { throw .nonFinite(what: "the PQ centroids") }
        self.dimension = dimension
        self.subspaces = subspaces
        self.centroidsPerSubspace = centroidsPerSubspace
        self.centroids = centroids
    }

    /// What training did: the quantiser and each sub-space's k-means curve.
    public struct Training: Sendable {
        /// The trained quantiser.
        public let quantizer: ProductQuantizer
        /// Per sub-space, the k-means objective after each update ([0]: initial centroids).
        public let objectives: [[Double]]
        /// Empty clusters re-seeded, over all sub-spaces.
        public let repairs: Int
        /// Vectors k-means saw (after sampling).
        public let trainingVectors: Int
        /// The codes of the training vectors (rows×D), when k-means saw all of them (no sampling).
        public let codes: [UInt8]?

        /// Mean squared reconstruction error of the training vectors after each k-means update
        /// (sub-spaces that stopped early keep their last value): the sub-space errors add up.
        public var meanSquaredErrors: [Double] {
            let length = objectives.map(\.count).max() ?? 0
            return (0..<length).map { t in
                objectives.reduce(0.0) { $0 + $1[min(t, $1.count - 1)] } / Double(max(1, trainingVectors))
            }
        }
    }

    /// Trains on the rows of `x`. `warmStart` (same shape) replaces k-means++ by its centroids, as
    /// faiss's hot-start training inside OPQ does.
    public static func train(_ x: Vectors, options: ProductQuantizerOptions = ProductQuantizerOptions(),
                             stream: RandomStream, warmStart: ProductQuantizer? = nil) throws(QuantizationError) -> Training {
        try options.validate(dimension: x.dimension)
        let d = x.dimension, m = options.subspaces, k = options.centroids, w = d / m
        if let warm = warmStart, warm.dimension != d || warm.subspaces != m || warm.centroidsPerSubspace != k {
            throw .shapeMismatch(what: "the warm-start quantiser", expected: "PQ \(m)×\(k) on \(d)-d vectors",
                                 got: "PQ \(warm.subspaces)×\(warm.centroidsPerSubspace) on \(warm.dimension)-d vectors")
        }
        guard x.rows >= k else { throw .tooFewVectors(vectors: x.rows, centroids: k, purpose: "PQ training") }
        let sample = try Sampling.atMost(options.maxPointsPerCentroid.map { $0 * k }, of: x, stream: stream.derive("sample"))
        // Sub-spaces run one after the other, each product on OpenBLAS's threads. Running them side
        // by side would need OpenBLAS single-threaded meanwhile, and its thread count is global
        // state: flipping it changes the rounding of every other caller's products.
        var fits: [KMeansResult] = []
        for s in 0..<m {
            let initial = warmStart.map { Array($0.centroids[(s * k * w)..<((s + 1) * k * w)]) }
            fits.append(try KMeans.fit(sample.columns(s * w, width: w), clusters: k, options: options.kmeans,
                                       stream: stream.derive("subspace \(s)"), initialCentroids: initial,
                                       purpose: "PQ sub-space \(s)"))
        }
        var centroids = [Float](repeating: 0, count: d * k)
        for (s, fit) in fits.enumerated() { for i in 0..<(k * w) { centroids[s * k * w + i] = fit.centroids[i] } }
        // k-means' final labels are the codes of the vectors it saw: when that is all of them, the
        // caller need not encode them again.
        var codes: [UInt8]?
        if sample.rows == x.rows {
            var c = [UInt8](repeating: 0, count: x.rows * m)
            for (s, fit) in fits.enumerated() { for i in 0..<x.rows { c[i * m + s] = UInt8(fit.labels[i]) } }
            codes = c
        }
        let quantizer = ProductQuantizer(unchecked: d, subspaces: m, centroidsPerSubspace: k, centroids: centroids)
        return Training(quantizer: quantizer, objectives: fits.map(\.objectives), repairs: fits.reduce(0) { $0 + $1.repairs },
                        trainingVectors: sample.rows, codes: codes)
    }

    init(unchecked dimension: Int, subspaces: Int, centroidsPerSubspace: Int, centroids: [Float]) {
        self.dimension = dimension
        self.subspaces = subspaces
        self.centroidsPerSubspace = centroidsPerSubspace
        self.centroids = centroids
    }

    /// The codes of the rows of `x`: rows×D bytes, entry s the nearest centroid in sub-space s.
    public func encode(_ x: Vectors) throws(QuantizationError) -> [UInt8] {
        guard x.dimension == dimension else {
            throw .shapeMismatch(what: "vectors to encode", expected: "dimension \(dimension)", got: "dimension \(x.dimension)")
        }
        guard x.isFinite else { throw .nonFinite(what: "the vectors to encode") }
        let n = x.rows, m = subspaces, k = centroidsPerSubspace, w = subDimension
        var columns: [[Int32]] = []
        var search = NearestCentroids()
        for s in 0..<m {
            var labels = [Int32](repeating: 0, count: n)
            x.values.withUnsafeBufferPointer { xb in
                centroids.withUnsafeBufferPointer { cb in
                    labels.withUnsafeMutableBufferPointer { l in
                        search.assign(xb.baseAddress! + s * w, rows: n, dimension: w, rowStride: dimension,
                                      centroids: cb.baseAddress! + s * k * w, count: k, into: l.baseAddress!)
                    }
                }
            }
            columns.append(labels)
        }
        var codes = [UInt8](repeating: 0, count: n * m)
        for (s, labels) in columns.enumerated() { for i in 0..<n { codes[i * m + s] = UInt8(labels[i]) } }
        return codes
    }

    /// The vectors that codes (rows×D, as `encode` returns) stand for.
    public func decode(_ codes: [UInt8]) throws(QuantizationError) -> Vectors {
        let m = subspaces, k = centroidsPerSubspace, w = subDimension
        guard codes.count % m == 0 else {
            throw .shapeMismatch(what: "PQ codes", expected: "a multiple of \(m) bytes (rows × sub-spaces)", got: "\(codes.count) bytes")
        }
        if let bad = codes.first(where: { Int($0) >= k }) {
            throw .invalidOption(name: "a PQ code", value: "\(bad)", expected: "below the \(k) centroids per sub-space")
        }
        let n = codes.count / m
        var out = [Float](repeating: 0, count: n * dimension)
        for i in 0..<n {
            for s in 0..<m {
                let c = (s * k + Int(codes[i * m + s])) * w
                for j in 0..<w { out[i * dimension + s * w + j] = centroids[c + j] }
            }
        }
        return Vectors(uncheckedRows: n, dimension: dimension, values: out)
    }

    /// Mean over the rows of `x` of ‖x − decode(encode(x))‖² (faiss's reconstruction error).
    public func reconstructionError(_ x: Vectors) throws(QuantizationError) -> Double {
        x.meanSquaredDistance(to: try decode(encode(x)))
    }
}
