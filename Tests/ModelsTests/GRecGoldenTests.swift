// GRec's cloze loss against PyTorch: Golden/grec.safetensors (Golden/make_grec_golden.py) holds a
// tiny non-causal encoder (V 12 + mask token, C 6, k 3, dilations [1, 2], B 3, L 8, left padding),
// two maskings (one drawn from the stream "masking" of seed 4 by a Python transcription of the
// generator and of ClozeMasking's rule, one written by hand), and per masking the loss and every
// parameter gradient, plus the next-item scores through the mask slot. The masking must match
// exactly; losses, gradients and scores agree to 2e-6 (max absolute difference; the reference is
// float64 stored as float32; measured at most 2.4e-7 for gradients and 4.8e-7 for scores, printed).

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class GRecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/grec.safetensors").path

    var golden: SafetensorsFile!
    var grec: GRec!

    override func setUpWithError() throws {
        golden = try SafetensorsFile(contentsOf: Self.path)
        grec = GRec(NextItNetConfiguration(items: 12, channels: 6, kernel: 3, dilations: [1, 2], layerNormEps: 1e-8),
                    seed: Seed(0), masking: ClozeMasking(probability: 0.5))
        try loadGoldenParameters(golden, into: grec.parameters)
    }

    /// The golden masking `name` as the model's input.
    func masked(_ name: String) throws -> MaskedSequences {
        MaskedSequences(inputs: try golden.indices("\(name).inputs"),
                        positions: try golden.indices("\(name).positions").values.map(Int.init),
                        targets: try golden.indices("\(name).targets"))
    }

    func checkLoss(_ name: String, _ masked: MaskedSequences, file: StaticString = #filePath, line: UInt = #line) throws {
        for p in grec.parameters { p.grad = nil }
        let g = Graph()
        let loss = grec.loss(g, masked: masked)
        g.backward(loss)
        let expected = try golden.tensor("\(name).loss").item
        var report = ["loss \(abs(loss.item - expected))"]
        XCTAssertEqual(loss.item, expected, accuracy: 2e-6, "\(name) loss", file: file, line: line)
        for p in grec.parameters {
            guard let grad = p.grad else { XCTFail("\(name): no gradient for \(p.name)", file: file, line: line); continue }
            let worst = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
            report.append("\(p.name) \(worst)")
            XCTAssertLessThanOrEqual(worst, 2e-6, "\(name): gradient of \(p.name)", file: file, line: line)
        }
        print("GRec cloze golden (\(name)) max abs differences: " + report.joined(separator: ", "))
    }

    func testDrawnMaskingMatchesThePythonTranscriptionAndItsLossMatchesTorch() throws {
        let sequence = try golden.indices("input.sequence")
        var rng = Seed(4).stream("masking")
        let drawn = grec.masking.apply(sequence, items: 12, maskToken: grec.maskToken, rng: &rng)
        let expected = try masked("drawn")
        XCTAssertEqual(drawn.positions, expected.positions, "chosen positions")
        XCTAssertEqual(drawn.targets.values, expected.targets.values, "targets")
        XCTAssertEqual(drawn.inputs.values, expected.inputs.values, "inputs after mask / random / kept")
        // What the golden covers: all three outcomes of the 80/10/10 rule.
        let replaced = drawn.positions.map { drawn.inputs.values[$0] }
        let originals = drawn.positions.map { sequence.values[$0] }
        XCTAssertTrue(replaced.contains(grec.maskToken))
        XCTAssertTrue(zip(replaced, originals).contains { $0 == $1 }, "a kept position")
        XCTAssertTrue(zip(replaced, originals).contains { $0 != $1 && $0 != grec.maskToken }, "a random replacement")
        try checkLoss("drawn", drawn)
    }

    func testHandWrittenMaskingLossMatchesTorch() throws {
        let fixed = try masked("fixed")
        XCTAssertEqual(fixed.positions, [1, 6, 12, 23])
        try checkLoss("fixed", fixed)
    }

    func testScoresThroughTheMaskSlotMatchTorch() throws {
        let sequence = try golden.indices("input.sequence")
        XCTAssertEqual(grec.predictionInputs(sequence).values, try golden.indices("predict.inputs").values)
        let g = Graph()
        let scores = grec.network.scores(g, hidden: grec.predictionHidden(g, history: sequence))
        let worst = maxAbsDifference(scores, try golden.tensor("predict.scores"))
        print("GRec golden scores: max abs difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 2e-6)
    }
}
