// Contextual item vectors, recomputed by hand: every window run on its own, each occurrence's
// states of the last layers concatenated, averaged per item, centred over the items that occur.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class ContextualItemVectorsTests: XCTestCase {
    /// Two users; user A's seven events make two windows at max length 4; item "e" never occurs.
    func dataset() -> Dataset {
        var b = DatasetBuilder()
        _ = b.declare(item: "e")
        for (t, item) in ["a", "b", "c", "a", "d", "b", "a"].enumerated() { b.add(user: "A", item: item, time: Double(t)) }
        for (t, item) in ["c", "d", "c"].enumerated() { b.add(user: "B", item: item, time: Double(t)) }
        return b.build(name: "tiny")
    }

    func testVectorsAreCentredMeansOfConcatenatedLastLayers() throws {
        let data = dataset()
        let n = data.itemCount
        let model = BERT4RecRecommender(BERT4RecConfiguration(items: n + 1, hidden: 8, layers: 3, heads: 2, inner: 16, maxLength: 4,
                                                              hiddenDropout: 0.3, attentionDropout: 0.3, maskRatio: 0.5), seed: Seed(5))
        let (vectors, counts) = contextualItemVectors(model, dataset: data, itemCount: n, lastLayers: 2, batchSize: 2)
        XCTAssertEqual(vectors.shape, [n + 1, 16])

        // By hand: each window alone, at the full width.
        var sums = [[Double]](repeating: [Double](repeating: 0, count: 16), count: n + 1)
        var expectedCounts = [Int](repeating: 0, count: n + 1)
        var windows: [[Int32]] = []
        for u in 1...data.userCount {
            let s = Array(data.sequence(of: u))
            stride(from: 0, to: s.count, by: 4).forEach { windows.append(Array(s[$0..<min($0 + 4, s.count)])) }
        }
        XCTAssertEqual(windows.map(\.count), [4, 3, 3])
        for w in windows {
            let g = Graph()
            let ids = IndexTensor(shape: [1, 4], values: w + [Int32](repeating: 0, count: 4 - w.count))
            let out = g.withoutRecording { model.network.forward(g, ids) }
            for (c, item) in w.enumerated() {
                expectedCounts[Int(item)] += 1
                for (j, layer) in [out.layers[1], out.layers[2]].enumerated() {
                    for d in 0..<8 { sums[Int(item)][j * 8 + d] += Double(layer.pointer[c * 8 + d]) }
                }
            }
        }
        XCTAssertEqual(counts, expectedCounts)
        let eId = Int(data.items.id(of: "e")!)
        XCTAssertEqual(counts[eId], 0)
        let occurring = (1...n).filter { expectedCounts[$0] > 0 }
        var centre = [Double](repeating: 0, count: 16)
        for i in occurring { for d in 0..<16 { centre[d] += sums[i][d] / Double(expectedCounts[i]) / Double(occurring.count) } }
        for i in 0...n {
            for d in 0..<16 {
                let expected = expectedCounts[i] > 0 ? sums[i][d] / Double(expectedCounts[i]) - centre[d] : 0
                XCTAssertEqual(Double(vectors.pointer[i * 16 + d]), expected, accuracy: 1e-5, "item \(i) dim \(d)")
            }
        }
        // Dropout is off while reading, so a second pass gives the same bits.
        let again = contextualItemVectors(model, dataset: data, itemCount: n, lastLayers: 2, batchSize: 2).vectors
        XCTAssertEqual(Array(UnsafeBufferPointer(start: again.pointer, count: again.count)),
                       Array(UnsafeBufferPointer(start: vectors.pointer, count: vectors.count)))
    }

    func testLayerCountIsClampedToTheModel() {
        let data = dataset()
        let model = SASRecRecommender(SASRecConfiguration(items: data.itemCount + 1, hidden: 8, layers: 1, heads: 1, inner: 16, maxLength: 4,
                                                          hiddenDropout: 0, attentionDropout: 0), seed: Seed(2))
        XCTAssertEqual(contextualItemVectors(model, dataset: data, itemCount: data.itemCount, lastLayers: 5).vectors.shape, [data.itemCount + 1, 8])
    }
}
