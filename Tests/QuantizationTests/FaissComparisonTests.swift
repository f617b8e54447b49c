// Our quantisers against faiss on the same data. Golden/make_faiss_golden.py wrote the vectors
// (2000 × 64, clustered and correlated) and faiss's reconstruction errors (faiss-cpu, one thread)
// for four seeds per configuration. k-means and OPQ end in seed-dependent local optima (faiss's own
// OPQ errors spread by 15% over its seeds here), so the comparison is of means over four seeds on
// each side: ours ≤ 1.05 × faiss's. faiss seeds k-means with random rows, we use k-means++.

import Foundation
import Testing
import Quantization
import Tensors

struct FaissComparisonTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func vectors() throws -> Vectors {
        let file = try SafetensorsFile(contentsOf: Self.golden.appendingPathComponent("vectors.safetensors").path)
        let x = try file.tensor("x")
        return try Vectors(rows: x.shape[0], dimension: x.shape[1], values: x.scalars)
    }

    /// The mean of faiss's errors over its seeds for `key`.
    func faiss(_ key: String) throws -> Double {
        let data = try Data(contentsOf: Self.golden.appendingPathComponent("faiss-mse.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let values = try #require((object[key] as? [NSNumber])?.map(\.doubleValue), "faiss-mse.json has no list '\(key)'")
        #expect(values.count == Self.seeds.count)
        return values.reduce(0, +) / Double(values.count)
    }

    /// As many seeds as the golden file has; different from faiss's, which are its own generator's.
    static let seeds: [UInt64] = [1, 2, 3, 4]

    /// The mean of `error(seed)` over `seeds`, printed next to faiss's mean.
    func compare(_ label: String, faissKey: String, _ error: (Seed) throws -> Double) throws -> Double {
        let ours = try Self.seeds.map { try error(Seed($0)) }
        let mean = ours.reduce(0, +) / Double(ours.count), reference = try faiss(faissKey)
        print("\(label): ours \(ours.map { String(format: "%.4f", $0) }.joined(separator: " ")) mean \(String(format: "%.4f", mean)); "
              + "faiss mean \(String(format: "%.4f", reference)); ratio \(String(format: "%.3f", mean / reference))")
        #expect(mean <= 1.05 * reference, "\(label): ours \(mean) > 1.05 × faiss \(reference)")
        return mean
    }

    @Test(arguments: [8, 16])
    func productQuantizer(subspaces: Int) throws {
        let x = try vectors()
        #expect(x.rows == 2000 && x.dimension == 64)
        _ = try compare("PQ\(subspaces)x8", faissKey: "pq\(subspaces)x8") { seed in
            let pq = try ProductQuantizer.train(x, options: ProductQuantizerOptions(subspaces: subspaces, centroids: 256),
                                                stream: seed.stream("pq")).quantizer
            return try pq.reconstructionError(x)
        }
    }

    @Test func opqThenProductQuantizer() throws {
        // faiss's "OPQ8,PQ8x8": OPQMatrix, then a fresh PQ trained on the rotated vectors.
        let x = try vectors()
        let mean = try compare("OPQ8,PQ8x8", faissKey: "opq8_pq8x8") { seed in
            let opq = try OPQ.train(x, options: OPQOptions(subspaces: 8, centroids: 256), stream: seed.stream("opq"))
            #expect(opq.rotation.orthogonalityError < 1e-4)
            let rotated = try opq.rotation.apply(x)
            let pq = try ProductQuantizer.train(rotated, options: ProductQuantizerOptions(subspaces: 8, centroids: 256),
                                                stream: seed.stream("pq")).quantizer
            return try pq.reconstructionError(rotated)
        }
        #expect(mean < 0.5 * (try faiss("pq8x8")))   // the rotation helps a lot on correlated data
    }

    @Test func vqRecPipeline() throws {
        // "OPQ16,IVF1,PQ16x8" under inner product, fitted on every row.
        let x = try vectors()
        _ = try compare("OPQ16,IVF1,PQ16x8 (IP)", faissKey: "vqrec_opq16_ivf1_pq16x8_ip") { seed in
            try VQRecQuantizer.fit(x, trainingRows: Array(0..<x.rows), options: VQRecQuantizerOptions(subspaces: 16),
                                   stream: seed.stream("vq")).reconstructionError
        }
    }
}
