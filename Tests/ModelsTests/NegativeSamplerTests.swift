// Negative samplers: padding never drawn, the positive rejected when asked, frequencies that match
// each sampler's probability table (a chi-square bound at a fixed seed), LambdaFM's rank formula
// tied to ids explicitly, determinism, and construction errors as values.

import XCTest
@testable import Models
@testable import Tensors

final class NegativeSamplerTests: XCTestCase {
    let counts = [0, 5, 3, 8, 1, 2, 7, 4, 6, 2, 9, 0]   // id 11 never seen

    /// Pearson's statistic of `draws` samples against the sampler's table, over ids with p > 0.
    func chiSquare(_ sampler: NegativeSampler, draws: Int, seed: UInt64) -> (statistic: Double, dof: Int) {
        var rng = Seed(seed).stream("negatives")
        var seen = [Int](repeating: 0, count: sampler.itemCount)
        for _ in 0..<draws { seen[Int(sampler.sample(&rng))] += 1 }
        var statistic = 0.0, cells = 0
        for (id, p) in sampler.probabilities.enumerated() {
            if p == 0 { XCTAssertEqual(seen[id], 0, "\(sampler) drew id \(id) of probability 0"); continue }
            let expected = p * Double(draws)
            statistic += (Double(seen[id]) - expected) * (Double(seen[id]) - expected) / expected
            cells += 1
        }
        return (statistic, cells - 1)
    }

    func testUniformNeverDrawsPaddingAndCoversEveryItem() throws {
        let sampler = try NegativeSampler.uniform(itemCount: 12)
        var rng = Seed(1).stream("negatives")
        var seen = Set<Int32>()
        for _ in 0..<5000 {
            let id = sampler.sample(&rng)
            XCTAssertTrue((1..<12).contains(id), "drew \(id)")
            seen.insert(id)
        }
        XCTAssertEqual(seen, Set(1..<12))
        XCTAssertEqual(sampler.probabilities[0], 0)
    }

    func testFrequenciesMatchTheTables() throws {
        // 99.9% quantiles of chi-square: 27.9 (9 dof), 31.3 (11 dof). The seed is fixed, so this is
        // deterministic; the bound says the draws follow the table, not that this seed got lucky.
        for (sampler, bound) in [(try NegativeSampler.uniform(itemCount: 12), 31.3),
                                 (try NegativeSampler.popularity(counts: counts), 27.9),
                                 (try NegativeSampler.lambdaFM(counts: counts), 31.3)] {
            let (statistic, dof) = chiSquare(sampler, draws: 200_000, seed: 7)
            XCTAssertLessThan(statistic, bound, "\(sampler): chi-square \(statistic) with \(dof) dof")
        }
    }

    func testLambdaFMFollowsRankNotId() throws {
        let sampler = try NegativeSampler.lambdaFM(counts: counts)
        let n = Double(counts.count)
        // Ranks: 10 (count 9) first, then 3, 6, 8, 1, 7, 2, 5 and 9 (tie, smaller id first), 4, 11.
        let order = [10, 3, 6, 8, 1, 7, 2, 5, 9, 4, 11]
        let weights = order.indices.map { exp(-Double($0 + 1) / (0.3 * n)) }
        let total = weights.reduce(0, +)
        for (rank, id) in order.enumerated() {
            XCTAssertEqual(sampler.probabilities[id], weights[rank] / total, accuracy: 1e-12, "id \(id)")
        }
        XCTAssertGreaterThan(sampler.probabilities[11], 0, "unseen items stay drawable")
        XCTAssertEqual(sampler.description, "lambdafm")
        XCTAssertEqual(try NegativeSampler.lambdaFM(counts: counts, rho: 0.5).description, "lambdafm(rho 0.5)")
    }

    func testPositiveIsRejectedAndPaddingRowsDrawNothing() throws {
        let sampler = try NegativeSampler.popularity(counts: counts)
        var rng = Seed(2).stream("negatives")
        let positives = IndexTensor(shape: [2, 3], values: [10, 0, 3, 3, 10, 0])
        let negatives = sampler.negatives(for: positives, count: 50, rng: &rng)
        XCTAssertEqual(negatives.shape, [6, 50])
        for r in 0..<6 {
            let row = negatives.values[(r * 50)..<((r + 1) * 50)]
            if positives.values[r] == 0 {
                XCTAssertTrue(row.allSatisfy { $0 == 0 })
            } else {
                XCTAssertFalse(row.contains(positives.values[r]), "row \(r) contains its positive")
                XCTAssertFalse(row.contains(0))
                XCTAssertFalse(row.contains(11), "count 0 under popularity")
            }
        }
    }

    func testSameSeedSameSamples() throws {
        for sampler in [try NegativeSampler.uniform(itemCount: 12), try .popularity(counts: counts), try .lambdaFM(counts: counts)] {
            let positives = IndexTensor([1, 4, 0, 9, 10])
            var a = Seed(5).stream("negatives"), b = Seed(5).stream("negatives"), c = Seed(6).stream("negatives")
            let first = sampler.negatives(for: positives, count: 8, rng: &a)
            XCTAssertEqual(first, sampler.negatives(for: positives, count: 8, rng: &b))
            XCTAssertNotEqual(first, sampler.negatives(for: positives, count: 8, rng: &c))
        }
    }

    func testConstructionErrorsAreValues() {
        XCTAssertThrowsError(try NegativeSampler.uniform(itemCount: 2)) {
            XCTAssertEqual($0 as? NegativeSamplerError, .tooFewItems(1))
        }
        XCTAssertThrowsError(try NegativeSampler.popularity(counts: [0, 4, 0])) {
            XCTAssertEqual($0 as? NegativeSamplerError, .tooFewItems(1))
        }
        XCTAssertThrowsError(try NegativeSampler.popularity(counts: [0, 4, -1])) {
            XCTAssertEqual($0 as? NegativeSamplerError, .negativeCount(id: 2, count: -1))
        }
        XCTAssertThrowsError(try NegativeSampler.lambdaFM(counts: counts, rho: 0)) {
            XCTAssertEqual($0 as? NegativeSamplerError, .invalidRho(0))
        }
    }
}
