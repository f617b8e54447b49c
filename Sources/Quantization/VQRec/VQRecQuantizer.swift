// The text-to-code quantiser of VQ-Rec: faiss's index_factory(d, "OPQ32,IVF1,PQ32x8",
// METRIC_INNER_PRODUCT) as the reference builds it (reference §5.1). Fitting, in faiss's order:
//   1. OPQ on the training vectors gives the rotation R;
//   2. the coarse quantiser of IVF1 under inner product: spherical k-means with k = 1 on the rotated
//      vectors, i.e. their normalised mean c (faiss sets `spherical` for inner-product IVF);
//   3. PQ (25 k-means iterations, at most 256 vectors per centroid) on the residuals x·R − c.
// Encoding a vector: code_m = argmin_k ‖(x·R − c)[m-th sub-vector] − C[m, k]‖². Fitting uses only the
// rows given ("strict": the items of the training split, reference issue #6 on leakage); encoding
// then covers every row, cold-start items included, with the quantiser fitted on the others.

import Tensors

/// How the VQ-Rec quantiser is fitted (defaults: the reference's OPQ32,IVF1,PQ32x8 under faiss).
public struct VQRecQuantizerOptions: Sendable, Equatable {
    /// The OPQ rotation's training; its sub-spaces and centroids are the code's.
    public var opq: OPQOptions
    /// k-means of the residual PQ (faiss: 25 iterations).
    public var pqKMeans: KMeansOptions
    /// Residual PQ trains on at most this many vectors per centroid (faiss: 256); nil: all.
    public var maxPointsPerCentroid: Int?
    /// k-means iterations of the coarse quantiser (faiss IVF: 10; with k = 1 it settles after one).
    public var coarseIterations: Int

    /// The reference's settings: D sub-spaces (code_dim, 32) of K centroids (code_cap, 256).
    public init(subspaces: Int = 32, centroids: Int = 256, opq: OPQOptions? = nil,
                pqKMeans: KMeansOptions = KMeansOptions(), maxPointsPerCentroid: Int? = 256, coarseIterations: Int = 10) {
        var o = opq ?? OPQOptions()
        o.subspaces = subspaces
        o.centroids = centroids
        self.opq = o
        self.pqKMeans = pqKMeans
        self.maxPointsPerCentroid = maxPointsPerCentroid
        self.coarseIterations = coarseIterations
    }

    /// Sub-spaces D: a code has D entries.
    public var subspaces: Int { opq.subspaces }
    /// Centroids per sub-space K.
    public var centroids: Int { opq.centroids }
}

/// A fitted OPQ + single-centroid + PQ quantiser that turns item vectors into VQ-Rec codes.
public struct VQRecQuantizer: Sendable, Equatable {
    /// The OPQ rotation (rotated = x·R; faiss's A is Rᵀ).
    public let rotation: Rotation
    /// The single unit-norm coarse centroid c, subtracted after rotating.
    public let coarseCentroid: [Float]
    /// The PQ of the residuals x·R − c.
    public let pq: ProductQuantizer

    /// Dimension d of the item vectors.
    public var dimension: Int { rotation.dimension }
    /// Sub-spaces D (code_dim).
    public var subspaces: Int { pq.subspaces }
    /// Centroids per sub-space K (code_cap).
    public var centroidsPerSubspace: Int { pq.centroidsPerSubspace }

    /// A quantiser from its parts; their dimensions must agree.
    public init(rotation: Rotation, coarseCentroid: [Float], pq: ProductQuantizer) throws(QuantizationError) {
        guard coarseCentroid.count == rotation.dimension, pq.dimension == rotation.dimension else {
            throw .shapeMismatch(what: "the quantiser's parts", expected: "rotation, coarse centroid and PQ of one dimension",
                                 got: "rotation \(rotation.dimension), centroid \(coarseCentroid.count), PQ \(pq.dimension)")
        }
        guard coarseCentroid.allSatisfy(\.isFinite) else { throw .nonFinite(what: "the coarse centroid's values") }
        self.rotation = rotation
        self.coarseCentroid = coarseCentroid
        self.pq = pq
    }

    /// The fitted quantiser and how fitting went.
    public struct Fit: Sendable {
        /// The quantiser.
        public let quantizer: VQRecQuantizer
        /// OPQ's reconstruction error per outer iteration (centred, rotated training vectors).
        public let opqErrors: [Double]
        /// Residual PQ's mean squared error after each k-means update.
        public let pqErrors: [Double]
        /// Rows the quantiser was fitted on.
        public let trainingRows: Int
        /// Mean squared reconstruction error of the training rows in the original space.
        public let reconstructionError: Double
    }

    /// Fits on the rows `trainingRows` of `x` (deduplicated and taken in ascending order, as the
    /// reference sorts the training items). Randomness comes from `stream` (derived: "opq", "coarse",
    /// "pq").
    public static func fit(_ x: Vectors, trainingRows: [Int], options: VQRecQuantizerOptions = VQRecQuantizerOptions(),
                           stream: RandomStream) throws(QuantizationError) -> Fit {
        guard options.coarseIterations >= 0 else {
            throw .invalidOption(name: "coarse k-means iterations", value: "\(options.coarseIterations)", expected: "0 or more")
        }
        var rows = trainingRows.sorted()
        rows = rows.enumerated().filter { $0.offset == 0 || rows[$0.offset - 1] != $0.element }.map(\.element)
        guard !rows.isEmpty else {
            throw .invalidOption(name: "training rows", value: "empty", expected: "the row indices of the training items")
        }
        let train = try x.selecting(rows)
        let opq = try OPQ.train(train, options: options.opq, stream: stream.derive("opq"))
        let rotated = try opq.rotation.apply(train)
        let coarse = try KMeans.fit(rotated, clusters: 1, options: KMeansOptions(iterations: options.coarseIterations, spherical: true),
                                    stream: stream.derive("coarse"), purpose: "coarse quantiser")
        let residuals = subtract(coarse.centroids, from: rotated)
        let pqOptions = ProductQuantizerOptions(subspaces: options.subspaces, centroids: options.centroids,
                                                kmeans: options.pqKMeans, maxPointsPerCentroid: options.maxPointsPerCentroid)
        let pq = try ProductQuantizer.train(residuals, options: pqOptions, stream: stream.derive("pq"))
        let quantizer = VQRecQuantizer(unchecked: opq.rotation, coarseCentroid: coarse.centroids, pq: pq.quantizer)
        let error = try train.meanSquaredDistance(to: quantizer.decode(quantizer.encode(train)))
        return Fit(quantizer: quantizer, opqErrors: opq.errors, pqErrors: pq.meanSquaredErrors, trainingRows: rows.count,
                   reconstructionError: error)
    }

    init(unchecked rotation: Rotation, coarseCentroid: [Float], pq: ProductQuantizer) {
        self.rotation = rotation
        self.coarseCentroid = coarseCentroid
        self.pq = pq
    }

    /// The codes of every row of `x`: rows×D bytes in 0..<K.
    public func encode(_ x: Vectors) throws(QuantizationError) -> [UInt8] {
        try pq.encode(Self.subtract(coarseCentroid, from: rotation.apply(x)))
    }

    /// The vectors codes stand for, in the original space: (c + PQ decode)·Rᵀ.
    public func decode(_ codes: [UInt8]) throws(QuantizationError) -> Vectors {
        var residual = try pq.decode(codes)
        let d = dimension
        for i in 0..<residual.rows { for j in 0..<d { residual.values[i * d + j] += coarseCentroid[j] } }
        return try rotation.applyInverse(residual)
    }

    /// Mean over the rows of `x` of ‖x − decode(encode(x))‖².
    public func reconstructionError(_ x: Vectors) throws(QuantizationError) -> Double {
        x.meanSquaredDistance(to: try decode(encode(x)))
    }

    /// `x` with `centroid` subtracted from every row.
    static func subtract(_ centroid: [Float], from x: Vectors) -> Vectors {
        var out = x.values
        let d = x.dimension
        for i in 0..<x.rows { for j in 0..<d { out[i * d + j] -= centroid[j] } }
        return Vectors(uncheckedRows: x.rows, dimension: d, values: out)
    }
}
