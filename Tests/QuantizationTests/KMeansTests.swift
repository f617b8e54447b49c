import Testing
import Quantization
import Tensors

/// k-means: descent, seeding, determinism, repair of empty clusters, the spherical variant, errors.
struct KMeansTests {
    @Test func objectiveNeverRisesAndLabelsAreTheNearestCentroids() throws {
        let x = Fixtures.vectors()
        let fit = try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 30), stream: Seed(1).stream("kmeans"))
        #expect(fit.objectives.count >= 3)
        #expect(Fixtures.nonIncreasing(fit.objectives))
        #expect(fit.objectives.last! < 0.8 * fit.objectives.first!)
        // The BLAS expansion ‖x‖² − 2x·c + ‖c‖² picks the same centroid as an explicit loop.
        for i in 0..<x.rows { #expect(Int(fit.labels[i]) == Fixtures.bruteNearest(x.row(i), centroids: fit.centroids, k: 16)) }
        // The last objective is the exact sum of squared distances of the returned labels.
        var total = 0.0
        for i in 0..<x.rows {
            for (j, v) in x.row(i).enumerated() { let d = Double(v - fit.centroids[Int(fit.labels[i]) * 16 + j]); total += d * d }
        }
        #expect(abs(total - fit.objectives.last!) <= 1e-6 * total)
    }

    @Test func kMeansPlusPlusIsDeterministicAndPicksDistinctRows() throws {
        let x = Fixtures.vectors(rows: 200)
        let a = KMeansPlusPlus.seed(x, clusters: 20, stream: Seed(3).stream("seeding"))
        let b = KMeansPlusPlus.seed(x, clusters: 20, stream: Seed(3).stream("seeding"))
        let c = KMeansPlusPlus.seed(x, clusters: 20, stream: Seed(4).stream("seeding"))
        #expect(a == b)
        #expect(a != c)
        let rows = (0..<x.rows).map { Array(x.row($0)) }
        var picked: [Int] = []
        for j in 0..<20 {
            let centre = Array(a[(j * 16)..<((j + 1) * 16)])
            let index = try #require(rows.firstIndex(of: centre), "centroid \(j) is not a row of the data")
            picked.append(index)
        }
        #expect(Set(picked).count == 20)
    }

    @Test func fitIsDeterministicForASeed() throws {
        let x = Fixtures.vectors()
        let a = try KMeans.fit(x, clusters: 8, stream: Seed(11).stream("kmeans"))
        let b = try KMeans.fit(x, clusters: 8, stream: Seed(11).stream("kmeans"))
        let c = try KMeans.fit(x, clusters: 8, stream: Seed(12).stream("kmeans"))
        #expect(a == b)
        #expect(a.centroids != c.centroids)
    }

    @Test func anEmptyClusterTakesAFarPointOfTheLargestCluster() throws {
        let x = Fixtures.vectors(rows: 300, dimension: 8, clusters: 6)
        // Warm start with centroid 3 far from everything: it owns nothing after the first assignment.
        var initial = Array(KMeansPlusPlus.seed(x, clusters: 4, stream: Seed(5).stream("seeding")))
        for j in 0..<8 { initial[3 * 8 + j] = 1000 }
        let fit = try KMeans.fit(x, clusters: 4, options: KMeansOptions(iterations: 20), stream: Seed(5).stream("kmeans"),
                                 initialCentroids: initial)
        #expect(fit.repairs >= 1)
        #expect(Fixtures.nonIncreasing(fit.objectives))
        var counts = [Int](repeating: 0, count: 4)
        for l in fit.labels { counts[Int(l)] += 1 }
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(fit.centroids.allSatisfy { abs($0) < 100 })
    }

    @Test func duplicatePointsFewerThanClustersAreRepairedWithoutNaN() throws {
        // 30 vectors but only 3 distinct ones, 5 clusters: seeding must reuse duplicates, clusters go
        // empty, and the repair falls back to faiss's nudged copies.
        let distinct: [[Float]] = [[1, 2, 3, 4], [-1, 0, 2, 5], [4, 4, -3, 1]]
        let values = (0..<30).flatMap { distinct[$0 % 3] }
        let x = try Vectors(rows: 30, dimension: 4, values: values)
        let fit = try KMeans.fit(x, clusters: 5, options: KMeansOptions(iterations: 10), stream: Seed(2).stream("kmeans"))
        #expect(fit.repairs >= 1)
        #expect(fit.centroids.allSatisfy { $0.isFinite })
        #expect(fit.objectives.last! < 1e-9)
        #expect(Fixtures.nonIncreasing(fit.objectives))
    }

    @Test func sphericalCentroidsHaveUnitNormAndOneClusterIsTheNormalisedMean() throws {
        let x = Fixtures.vectors(rows: 400, dimension: 12, clusters: 5)
        let fit = try KMeans.fit(x, clusters: 6, options: KMeansOptions(spherical: true), stream: Seed(9).stream("kmeans"))
        for c in 0..<6 {
            let norm = (0..<12).reduce(Float(0)) { $0 + fit.centroids[c * 12 + $1] * fit.centroids[c * 12 + $1] }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
        #expect(Fixtures.nonIncreasing(fit.objectives))
        let one = try KMeans.fit(x, clusters: 1, options: KMeansOptions(iterations: 10, spherical: true), stream: Seed(9).stream("coarse"))
        var mean = [Double](repeating: 0, count: 12)
        for i in 0..<x.rows { for (j, v) in x.row(i).enumerated() { mean[j] += Double(v) } }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in 0..<12 { #expect(abs(Double(one.centroids[j]) - mean[j] / norm) < 1e-5) }
        #expect(one.iterations <= 3)   // settles after one update; the next finds nothing to improve
    }

    @Test func fewerVectorsThanClustersSaysHowManyAreNeeded() throws {
        let x = Fixtures.vectors(rows: 10, dimension: 4)
        do {
            _ = try KMeans.fit(x, clusters: 256, stream: Seed(1).stream("kmeans"))
            Issue.record("expected an error")
        } catch {
            #expect(error == .tooFewVectors(vectors: 10, centroids: 256, purpose: "k-means"))
            #expect(error.description.contains("at least 256 vectors"))
            #expect(error.description.contains("got 10"))
        }
    }

    @Test func toleranceStopsEarly() throws {
        let x = Fixtures.vectors()
        let loose = try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 50, tolerance: 0.05), stream: Seed(1).stream("k"))
        let strict = try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 50), stream: Seed(1).stream("k"))
        #expect(loose.iterations < strict.iterations)
        #expect(loose.objectives == Array(strict.objectives.prefix(loose.objectives.count)))
    }
}
