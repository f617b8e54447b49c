import Testing
import Quantization
import Tensors

/// OPQ: the alternation lowers the error, the rotation stays orthogonal, runs repeat exactly.
struct OPQTests {
    let options = OPQOptions(subspaces: 4, centroids: 32, iterations: 12, firstPQIterations: 20, pqIterations: 4)

    @Test func errorNeverRisesAndBeatsPlainPQ() throws {
        let x = Fixtures.vectors(rows: 800, dimension: 16)
        let opq = try OPQ.train(x, options: options, stream: Seed(1).stream("opq"))
        #expect(opq.errors.count == 12)
        #expect(Fixtures.nonIncreasing(opq.errors))
        #expect(opq.errors.last! < opq.errors.first!)
        #expect(opq.rotation.orthogonalityError < 1e-4)
        // PQ after the learnt rotation reconstructs better than PQ on the raw vectors.
        let pqOptions = ProductQuantizerOptions(subspaces: 4, centroids: 32)
        let plain = try ProductQuantizer.train(x, options: pqOptions, stream: Seed(1).stream("pq")).quantizer
        let rotated = try opq.rotation.apply(x)
        let turned = try ProductQuantizer.train(rotated, options: pqOptions, stream: Seed(1).stream("pq")).quantizer
        #expect(try turned.reconstructionError(rotated) < plain.reconstructionError(x))
    }

    @Test func rotationIsOrthogonalAndInvertible() throws {
        let r = try Rotation.random(dimension: 24, stream: Seed(3).stream("rotation"))
        #expect(r.orthogonalityError < 1e-4)
        #expect(Rotation.identity(24).orthogonalityError == 0)
        let x = Fixtures.vectors(rows: 50, dimension: 24)
        let back = try r.applyInverse(r.apply(x))
        #expect(zip(back.values, x.values).allSatisfy { abs($0 - $1) < 1e-4 })
        // A rotation keeps lengths.
        let zero = try Vectors(rows: 50, dimension: 24, values: .init(repeating: 0, count: 50 * 24))
        let before = x.meanSquaredDistance(to: zero), after = try r.apply(x).meanSquaredDistance(to: zero)
        #expect(abs(before - after) < 1e-5 * before)
    }

    @Test func procrustesRecoversAKnownRotation() throws {
        // Y = X·R₀ exactly: the SVD of XᵀY must give back R₀ (checks LAPACK's U and Vᵀ orientation).
        let x = Fixtures.vectors(rows: 200, dimension: 12)
        let r0 = try Rotation.random(dimension: 12, stream: Seed(4).stream("rotation"))
        let r = try Rotation.procrustes(from: x, to: r0.apply(x))
        #expect(zip(r.matrix, r0.matrix).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(r.orthogonalityError < 1e-5)
        // Against an arbitrary target the result is still a rotation, and no worse than the identity.
        let target = Fixtures.vectors(rows: 200, dimension: 12, seed: 99)
        let fitted = try Rotation.procrustes(from: x, to: target)
        #expect(fitted.orthogonalityError < 1e-4)
        #expect(try fitted.apply(x).meanSquaredDistance(to: target) <= x.meanSquaredDistance(to: target))
    }

    @Test func deterministicForASeed() throws {
        let x = Fixtures.vectors(rows: 400, dimension: 16)
        let short = OPQOptions(subspaces: 4, centroids: 16, iterations: 4, firstPQIterations: 10, pqIterations: 2)
        let a = try OPQ.train(x, options: short, stream: Seed(8).stream("opq"))
        let b = try OPQ.train(x, options: short, stream: Seed(8).stream("opq"))
        let c = try OPQ.train(x, options: short, stream: Seed(9).stream("opq"))
        #expect(a.rotation == b.rotation && a.errors == b.errors && a.quantizer == b.quantizer)
        #expect(a.rotation != c.rotation)
    }
}
