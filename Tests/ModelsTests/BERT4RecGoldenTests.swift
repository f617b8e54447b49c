// BERT4Rec against PyTorch: Golden/bert4rec.safetensors (Golden/make_bert4rec_golden.py) holds an
// independent PyTorch implementation of RecBole 1.0.1's BERT4Rec (N 20 + mask token, H 8, 2 heads,
// inner 16, 2 layers, max length 6, B 3, L 6, no dropout) with fixed masks in RecBole's own format
// (masked_index left-padded with 0, a mask at position 0 given weight 0, a row with more masks than
// mask_item_length): parameters, the training forward's hidden states, the masked loss, the gradient
// of every parameter, and the prediction scores through an appended mask token. Outputs must agree
// to 1e-5, gradients to 1e-4 (max absolute difference); the differences are printed.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class BERT4RecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/bert4rec.safetensors").path

    func testMaskedLossGradientsAndPredictionMatchTorch() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let model = BERT4Rec(BERT4RecConfiguration(items: 20, hidden: 8, layers: 2, heads: 2, inner: 16, maxLength: 6,
                                                   hiddenDropout: 0, attentionDropout: 0, maskRatio: 0.5), seed: Seed(0))
        XCTAssertEqual(model.maskToken, 20)
        XCTAssertEqual(model.configuration.maxPredictions, 3, "int(0.5 · 6), the golden's mask_item_length")

        try loadGoldenParameters(golden, into: model.parameters)

        // RecBole's masked-slot format → our flat positions: a slot counts where masked_index > 0.
        let masked = try golden.indices("input.masked")                        // [3, 6]
        let index = try golden.indices("input.masked_index"), items = try golden.indices("input.pos_items")   // [3, 3]
        let (b, l, slots) = (masked.shape[0], masked.shape[1], index.shape[1])
        var positions: [Int] = [], targets: [Int32] = []
        for r in 0..<b {
            for s in 0..<slots where index.values[r * slots + s] > 0 {
                positions.append(r * l + Int(index.values[r * slots + s]))
                targets.append(items.values[r * slots + s])
            }
        }
        let batch = MaskedSequences(inputs: masked, positions: positions, targets: IndexTensor(targets))

        let g = Graph()
        var rng = Seed(1).stream("dropout")
        let before = rng
        let loss = model.maskedLoss(g, masked: batch, rng: &rng)
        XCTAssertEqual(rng, before, "no dropout: nothing drawn")
        g.backward(loss)
        let hidden = g.withoutRecording { model.forward(g, masked).hidden }

        // Prediction: the unmasked history, the mask token at column length, read there.
        let sequence = try golden.indices("input.sequence")
        let lengths = try golden.indices("input.lengths").values.map(Int.init)
        let inputs = model.predictionInputs(sequence, lengths: lengths, width: l + 1)
        XCTAssertEqual(inputs, try golden.indices("input.prediction"))
        let scores = g.withoutRecording {
            model.scores(g, hidden: model.maskHidden(g, model.forward(g, inputs).hidden, lengths: lengths))
        }

        var report: [String] = []
        var worstGradient: (name: String, value: Float) = ("", 0)
        func compare(_ actual: Tensor, _ name: String, tolerance: Float) throws {
            let expected = try golden.tensor(name)
            XCTAssertEqual(actual.count, expected.count, "\(name): element count")
            guard actual.count == expected.count else { return }
            let worst = maxAbsDifference(actual, expected)
            report.append("\(name) \(worst)")
            if name.hasPrefix("grad."), worst >= worstGradient.value { worstGradient = (name, worst) }
            XCTAssertLessThanOrEqual(worst, tolerance, "\(name): max abs difference \(worst)")
        }
        try compare(hidden, "out.hidden", tolerance: 1e-5)
        try compare(loss, "out.loss", tolerance: 1e-5)
        try compare(scores, "out.scores", tolerance: 1e-5)
        for p in model.parameters {
            guard let grad = p.grad else { XCTFail("no gradient for \(p.name)"); continue }
            try compare(grad, "grad.\(p.name)", tolerance: 1e-4)
        }
        print("BERT4Rec golden max abs differences (worst gradient \(worstGradient.name) \(worstGradient.value)):\n  "
              + report.joined(separator: "\n  "))
    }

    func testDropoutGradientsAgainstFiniteDifferences() throws {
        let model = BERT4Rec(BERT4RecConfiguration(items: 9, hidden: 6, layers: 2, heads: 2, inner: 8, maxLength: 5,
                                                   hiddenDropout: 0.2, attentionDropout: 0.3, maskRatio: 0.4), seed: Seed(21))
        randomise(model.parameters, std: 0.5, name: "bert4rec.loss")
        var sequences = randomIds("bert4rec.inputs", b: 3, l: 5, items: 9)
        for c in 3..<5 { sequences.values[5 + c] = 0 }   // row 1 holds 3 items, then padding
        // A fresh stream per evaluation: every probe sees the same masks and dropout draws.
        checkGradients(model.parameters, eps: 1e-3, atol: 5e-3, samples: 24) {
            var rng = Seed(4).stream("masking")
            return model.loss($0, sequences: sequences, rng: &rng)
        }
    }
}
