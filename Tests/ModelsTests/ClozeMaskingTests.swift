// GRec's masking: how many positions, which ones, what replaces them, and that the named stream
// alone decides the result.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class ClozeMaskingTests: XCTestCase {
    func testCountsEligibilityAndTargets() {
        // Row 0: 10 items → round(3.0) = 3 predictions; row 1: 4 items after padding → round(1.2) = 1;
        // row 2: only padding → none.
        let l = 10
        var values = (1...10).map(Int32.init)
        values += [0, 0, 0, 0, 0, 0, 4, 5, 6, 7]
        values += [Int32](repeating: 0, count: l)
        let sequences = IndexTensor(shape: [3, l], values: values)
        var rng = Seed(41).stream("masking")
        let masked = ClozeMasking().apply(sequences, items: 12, maskToken: 12, rng: &rng)
        XCTAssertEqual(masked.positions.filter { $0 < l }.count, 3)
        XCTAssertEqual(masked.positions.filter { $0 >= l && $0 < 2 * l }.count, 1)
        XCTAssertEqual(masked.positions.filter { $0 >= 2 * l }.count, 0)
        XCTAssertEqual(masked.positions, masked.positions.sorted())
        XCTAssertEqual(masked.targets.values, masked.positions.map { sequences.values[$0] })
        for p in masked.positions { XCTAssertNotEqual(sequences.values[p], 0, "padding chosen at \(p)") }
        // Unchosen positions are untouched.
        for i in 0..<values.count where !masked.positions.contains(i) {
            XCTAssertEqual(masked.inputs.values[i], values[i])
        }
    }

    func testReplacementShares() {
        // 2000 rows of 10 items at probability 0.3: 6000 chosen positions split 80/10/10.
        let (b, l, items) = (2000, 10, 1000)
        let sequences = randomIds("shares", b: b, l: l, items: items)
        var rng = Seed(42).stream("masking")
        let masked = ClozeMasking().apply(sequences, items: items, maskToken: Int32(items), rng: &rng)
        XCTAssertEqual(masked.positions.count, b * 3)
        var mask = 0, kept = 0, other = 0
        for p in masked.positions {
            let v = masked.inputs.values[p]
            if v == Int32(items) { mask += 1 } else if v == sequences.values[p] { kept += 1 } else { other += 1 }
            XCTAssertTrue(v >= 1 && v <= Int32(items))
        }
        let n = Double(masked.positions.count)
        XCTAssertEqual(Double(mask) / n, 0.8, accuracy: 0.02)
        // A random replacement equals the original with probability 1/999: counted as kept.
        XCTAssertEqual(Double(kept) / n, 0.1, accuracy: 0.015)
        XCTAssertEqual(Double(other) / n, 0.1, accuracy: 0.015)
    }

    func testSameStreamSameMasks() {
        let sequences = randomIds("determinism", b: 4, l: 12, items: 50)
        var a = Seed(43).stream("masking"), b = Seed(43).stream("masking"), c = Seed(44).stream("masking")
        let masking = ClozeMasking()
        let first = masking.apply(sequences, items: 50, maskToken: 50, rng: &a)
        XCTAssertEqual(first, masking.apply(sequences, items: 50, maskToken: 50, rng: &b))
        XCTAssertNotEqual(first, masking.apply(sequences, items: 50, maskToken: 50, rng: &c))
    }

    func testPredictionInputsEndWithTheMaskToken() {
        let grec = GRec(NextItNetConfiguration(items: 9, channels: 4, dilations: [1]), seed: Seed(45))
        XCTAssertEqual(grec.maskToken, 9)
        XCTAssertEqual(grec.network.embedding.shape, [10, 4])
        XCTAssertEqual(grec.network.outputWeight.shape, [4, 9])
        let inputs = grec.predictionInputs(IndexTensor(shape: [2, 3], values: [1, 2, 3, 0, 4, 5]))
        XCTAssertEqual(inputs.values, [2, 3, 9, 4, 5, 9])
        let g = Graph(recording: false)
        let h = grec.predictionHidden(g, history: IndexTensor(shape: [2, 3], values: [1, 2, 3, 0, 4, 5]))
        XCTAssertEqual(h.shape, [2, 4])
        XCTAssertEqual(grec.network.scores(g, hidden: h).shape, [2, 9])
    }
}
