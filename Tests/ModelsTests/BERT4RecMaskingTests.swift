// RecBole 1.0.1's BERT4Rec masking: each real position masked independently with the ratio, always
// by the mask token, padding untouched, at most mask_item_length predictions per row (the most recent),
// never a prediction at position 0, and one draw per real position from the given stream.

import XCTest
@testable import Models
@testable import Tensors

final class BERT4RecMaskingTests: XCTestCase {
    let sequences = IndexTensor(shape: [3, 6], values: [3, 7, 1, 12, 19, 5,
                                                       4, 9, 9, 2, 0, 0,
                                                       15, 6, 11, 0, 0, 0])

    func testRatioOneMasksEveryItemAndPredictsTheMostRecentOnes() {
        var rng = Seed(1).stream("masking")
        let out = BERT4RecMasking(ratio: 1, maxPredictions: 3).apply(sequences, maskToken: 20, rng: &rng)
        XCTAssertEqual(out.inputs.values, [20, 20, 20, 20, 20, 20,
                                           20, 20, 20, 20, 0, 0,
                                           20, 20, 20, 0, 0, 0])
        // Row 0: the last three of six; row 1: 1, 2, 3; row 2: 0, 1, 2 of which 0 is never predicted.
        XCTAssertEqual(out.positions, [3, 4, 5, 7, 8, 9, 13, 14])
        XCTAssertEqual(out.targets.values, [12, 19, 5, 9, 9, 2, 6, 11])
    }

    func testDrawsOnePerRealPositionInRowOrder() {
        var rng = Seed(2).stream("masking")
        var replay = rng
        let masking = BERT4RecMasking(ratio: 0.4, maxPredictions: 10)
        let out = masking.apply(sequences, maskToken: 20, rng: &rng)
        var expectedInputs = sequences.values, expectedPositions: [Int] = []
        for flat in sequences.values.indices where sequences.values[flat] != 0 {
            if replay.nextDouble() < 0.4 {
                expectedInputs[flat] = 20
                if flat % 6 != 0 { expectedPositions.append(flat) }
            }
        }
        XCTAssertEqual(rng, replay, "exactly one draw per real position")
        XCTAssertEqual(out.inputs.values, expectedInputs)
        XCTAssertEqual(out.positions, expectedPositions)
        XCTAssertEqual(out.targets.values, expectedPositions.map { sequences.values[$0] })
    }

    func testMaskedShareFollowsTheRatio() {
        let long = IndexTensor(shape: [200, 50], values: (0..<10_000).map { Int32(1 + $0 % 37) })
        var rng = Seed(3).stream("masking")
        let out = BERT4RecMasking(ratio: 0.2, maxPredictions: 50).apply(long, maskToken: 99, rng: &rng)
        let share = Double(out.inputs.values.filter { $0 == 99 }.count) / 10_000
        XCTAssertEqual(share, 0.2, accuracy: 0.015)
        XCTAssertTrue(out.positions.allSatisfy { $0 % 50 != 0 })
    }

    func testConfigurationRejectsARatioThatPredictsNothing() {
        func size(maxLength: Int) -> TransformerSize {
            TransformerSize(hidden: 8, layers: 1, heads: 2, inner: 8, maxLength: maxLength, hiddenDropout: 0, attentionDropout: 0)
        }
        XCTAssertNotNil(BERT4RecConfiguration.problem(items: 10, size: size(maxLength: 4), maskRatio: 0.2))
        XCTAssertNil(BERT4RecConfiguration.problem(items: 10, size: size(maxLength: 5), maskRatio: 0.2))
        XCTAssertEqual(BERT4RecConfiguration(items: 10).maxPredictions, 10, "RecBole's int(0.2 · 50)")
    }
}
