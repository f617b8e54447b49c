import Testing
import Quantization
import Tensors

/// Product quantisation: shapes, training curve, encode/decode.
struct ProductQuantizerTests {
    let options = ProductQuantizerOptions(subspaces: 4, centroids: 32)

    @Test func errorFallsWithKMeansIterationsAndMatchesTheEncodedError() throws {
        let x = Fixtures.vectors()
        let training = try ProductQuantizer.train(x, options: options, stream: Seed(1).stream("pq"))
        let curve = training.meanSquaredErrors
        #expect(curve.count >= 3)
        #expect(Fixtures.nonIncreasing(curve))
        #expect(curve.last! < 0.9 * curve.first!)
        #expect(training.trainingVectors == x.rows)
        // With every vector trained on, the curve's end is the error of encoding and decoding them.
        let error = try training.quantizer.reconstructionError(x)
        #expect(abs(error - curve.last!) <= 1e-5 * error)
        // k-means' last labels are the codes (OPQ relies on this to skip an encoding).
        #expect(try training.codes == training.quantizer.encode(x))
        // More bits, less error.
        let finer = try ProductQuantizer.train(x, options: ProductQuantizerOptions(subspaces: 8, centroids: 64), stream: Seed(1).stream("pq"))
        #expect(try finer.quantizer.reconstructionError(x) < error)
    }

    @Test func encodeIsTheNearestCentroidAndDecodeRoundTrips() throws {
        let x = Fixtures.vectors(rows: 300)
        let pq = try ProductQuantizer.train(x, options: options, stream: Seed(2).stream("pq")).quantizer
        #expect(pq.subDimension == 4 && pq.centroids.count == 4 * 32 * 4)
        let codes = try pq.encode(x)
        #expect(codes.count == 300 * 4)
        for i in stride(from: 0, to: 300, by: 7) {
            for s in 0..<4 {
                let sub = x.row(i)[(i * 16 + s * 4)..<(i * 16 + s * 4 + 4)]
                let table = Array(pq.centroids[(s * 32 * 4)..<((s + 1) * 32 * 4)])
                #expect(Int(codes[i * 4 + s]) == Fixtures.bruteNearest(sub, centroids: table, k: 32))
            }
        }
        let decoded = try pq.decode(codes)
        #expect(decoded.rows == 300 && decoded.dimension == 16)
        #expect(try pq.encode(decoded) == codes)            // a decoded vector is its own code's centroids
        #expect(try pq.decode(pq.encode(decoded)) == decoded)
    }

    @Test func indivisibleDimensionAndTooManyCentroidsAreErrors() throws {
        let x = Fixtures.vectors(rows: 300, dimension: 18)
        #expect(throws: QuantizationError.indivisibleDimension(dimension: 18, subspaces: 4)) {
            _ = try ProductQuantizer.train(x, options: ProductQuantizerOptions(subspaces: 4, centroids: 16), stream: Seed(1).stream("pq"))
        }
        #expect(QuantizationError.indivisibleDimension(dimension: 18, subspaces: 4).description.contains("1, 2, 3, 6, 9, 18"))
        #expect(throws: QuantizationError.self) {
            _ = try ProductQuantizer.train(x, options: ProductQuantizerOptions(subspaces: 3, centroids: 512), stream: Seed(1).stream("pq"))
        }
        let few = Fixtures.vectors(rows: 100, dimension: 18)
        #expect(throws: QuantizationError.tooFewVectors(vectors: 100, centroids: 200, purpose: "PQ training")) {
            _ = try ProductQuantizer.train(few, options: ProductQuantizerOptions(subspaces: 3, centroids: 200), stream: Seed(1).stream("pq"))
        }
    }

    @Test func samplingCapsTheTrainingSetDeterministically() throws {
        let x = Fixtures.vectors(rows: 600)
        let capped = ProductQuantizerOptions(subspaces: 4, centroids: 16, maxPointsPerCentroid: 20)
        let a = try ProductQuantizer.train(x, options: capped, stream: Seed(4).stream("pq"))
        let b = try ProductQuantizer.train(x, options: capped, stream: Seed(4).stream("pq"))
        #expect(a.trainingVectors == 320)
        #expect(a.codes == nil)
        #expect(a.quantizer == b.quantizer)
    }
}
