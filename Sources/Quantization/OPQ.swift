// Optimised product quantisation, non-parametric (Ge et al. 2013), as faiss's OPQMatrix::train does
// it: centre the training vectors, start from a random rotation, then alternate
//   (a) train PQ on the rotated vectors X·R (40 k-means iterations the first time, then 4 from the
//       previous centroids) and reconstruct them, Y = decode(encode(X·R));
//   (b) orthogonal Procrustes: the R minimising ‖X·R − Y‖ is U·Vᵀ for Xᵀ·Y = U·S·Vᵀ.
// Each step can only lower ‖X·R − Y‖², so errors[t] (measured after (a) of outer iteration t, where
// faiss prints its "obj") never rises. The rotation is fit on centred data and applied without the
// mean, as faiss does (its LinearTransform has no bias).

import Support
import Tensors

/// How OPQ is trained (defaults: faiss's OPQMatrix).
public struct OPQOptions: Sendable, Equatable {
    /// Sub-spaces D of the PQ the rotation is optimised for.
    public var subspaces: Int
    /// Centroids per sub-space K.
    public var centroids: Int
    /// Outer iterations (faiss niter 50).
    public var iterations: Int
    /// k-means iterations of the first PQ training (faiss niter_pq_0 40).
    public var firstPQIterations: Int
    /// k-means iterations of the later, warm-started PQ trainings (faiss niter_pq 4).
    public var pqIterations: Int
    /// Train on at most this many vectors, sampled at random (faiss max_train_points 65536); nil: all.
    public var maxTrainingVectors: Int?

    /// faiss's OPQMatrix defaults for a D×K product quantiser.
    public init(subspaces: Int = 32, centroids: Int = 256, iterations: Int = 50, firstPQIterations: Int = 40,
                pqIterations: Int = 4, maxTrainingVectors: Int? = 65_536) {
        self.subspaces = subspaces
        self.centroids = centroids
        self.iterations = iterations
        self.firstPQIterations = firstPQIterations
        self.pqIterations = pqIterations
        self.maxTrainingVectors = maxTrainingVectors
    }
}

/// What OPQ training produced.
public struct OPQTraining: Sendable {
    /// The learnt rotation (rotated = x·R).
    public let rotation: Rotation
    /// The PQ of the last outer iteration, in the rotated space of the previous rotation and on
    /// centred vectors; a pipeline trains its own PQ after rotating.
    public let quantizer: ProductQuantizer
    /// Mean squared reconstruction error of the centred training vectors, per outer iteration.
    public let errors: [Double]
    /// Vectors OPQ trained on (after sampling).
    public let trainingVectors: Int
}

/// Optimised product quantisation (the rotation).
public enum OPQ {
    /// Learns a rotation of the rows of `x` that lowers PQ's reconstruction error.
    public static func train(_ x: Vectors, options: OPQOptions = OPQOptions(),
                             stream: RandomStream) throws(QuantizationError) -> OPQTraining {
        let d = x.dimension
        for (name, value, least) in [("OPQ iterations", options.iterations, 1), ("OPQ first PQ iterations", options.firstPQIterations, 0),
                                     ("OPQ PQ iterations", options.pqIterations, 0), ("OPQ max training vectors", options.maxTrainingVectors ?? 1, 1)]
            where value < least {
            throw .invalidOption(name: name, value: "\(value)", expected: "at least \(least)")
        }
        try ProductQuantizerOptions(subspaces: options.subspaces, centroids: options.centroids).validate(dimension: d)
        guard x.isFinite else { throw .nonFinite(what: "the vectors given to OPQ") }
        guard x.rows >= options.centroids else {
            throw .tooFewVectors(vectors: x.rows, centroids: options.centroids, purpose: "OPQ training")
        }
        let sample = try Sampling.atMost(options.maxTrainingVectors, of: x, stream: stream.derive("sample"))
        let n = sample.rows
        let centred = centre(sample)
        var rotation = try Rotation.random(dimension: d, stream: stream.derive("rotation"))
        var quantizer: ProductQuantizer?
        var errors: [Double] = []
        for t in 0..<options.iterations {
            if Cancellation.isRequested { throw .interrupted(what: "OPQ training (iteration \(t + 1) of \(options.iterations))") }
            let rotated = try rotation.apply(centred)
            // faiss lets the inner PQ use 1000 points per centroid; with its 65536-vector cap that is all of them.
            let pqOptions = ProductQuantizerOptions(
                subspaces: options.subspaces, centroids: options.centroids,
                kmeans: KMeansOptions(iterations: t == 0 ? options.firstPQIterations : options.pqIterations),
                maxPointsPerCentroid: 1000)
            let training = try ProductQuantizer.train(rotated, options: pqOptions, stream: stream.derive("pq"),
                                                      warmStart: quantizer)
            let pq = training.quantizer
            quantizer = pq
            let codes: [UInt8]
            if let known = training.codes { codes = known } else { codes = try pq.encode(rotated) }
            let reconstruction = try pq.decode(codes)
            errors.append(rotated.meanSquaredDistance(to: reconstruction))
            rotation = try Rotation.procrustes(from: centred, to: reconstruction)
        }
        return OPQTraining(rotation: rotation, quantizer: quantizer!, errors: errors, trainingVectors: n)
    }

    /// The vectors minus their mean (computed in Double).
    static func centre(_ x: Vectors) -> Vectors {
        let n = x.rows, d = x.dimension
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x.values[i * d + j]) } }
        var out = x.values
        for j in 0..<d {
            let m = Float(mean[j] / Double(max(1, n)))
            for i in 0..<n { out[i * d + j] -= m }
        }
        return Vectors(uncheckedRows: n, dimension: d, values: out)
    }
}
