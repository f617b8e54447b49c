// SASRec against PyTorch: ../shared/golden/sasrec-step.safetensors holds one training step of an
// independent PyTorch implementation of RecBole's SASRec layer (V 40, H 8, 2 heads, inner 16, 2
// layers, B 3, L 6, no dropout): parameters, attention probabilities per layer, hidden states,
// logits, the every-position loss (`loss_all`) and the prefix loss (`loss_last`), and the gradient
// of `loss_all` for every parameter. Outputs must agree to 1e-5, gradients to 1e-4 (max absolute
// difference); the differences are printed. What the golden leaves out (dropout, BPR, padded prefix
// rows) is checked against finite differences with fixed random draws.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class SASRecGoldenTests: XCTestCase {
    func testTrainingStepMatchesTorch() throws {
        let path = try sharedPath("golden/sasrec-step.safetensors")
        let golden = try SafetensorsFile(contentsOf: path)
        // The golden was made in eval mode (no dropout); sizes from its header.
        let model = SASRec(SASRecConfiguration(items: 40, hidden: 8, layers: 2, heads: 2, inner: 16, maxLength: 6,
                                               hiddenDropout: 0, attentionDropout: 0, layerNormEps: 1e-12), seed: Seed(0))

        // Same parameter names, in the golden's order, then the golden values.
        try loadGoldenParameters(golden, into: model.parameters)

        let sequences = try golden.indices("input.sequence")                  // [3, 7]
        let lengths = try golden.indices("input.lengths").values.map(Int.init) // real items per row
        let (inputs, targets) = NextItNet.nextItemPairs(sequences)            // [3, 6] each

        // One forward pass in training mode (rates 0), its maps and the every-position loss.
        let g = Graph()
        var rng = Seed(1).stream("dropout")
        let before = rng
        let out = model.forward(g, inputs, dropout: &rng)
        let hidden = g.reshape(out.hidden, [out.hidden.rows, out.hidden.lastDim])
        let loss = model.itemLoss(g, hidden: hidden, targets: targets, objective: .fullSoftmax, rng: &rng)
        XCTAssertEqual(rng, before, "no dropout, no negatives: nothing drawn")
        g.backward(loss)
        let logits = g.withoutRecording { model.scores(g, hidden: out.hidden) }

        // RecBole's prefix objective: each row's last real input predicts the item after it.
        let lastTargets = IndexTensor((0..<lengths.count).map { sequences.values[$0 * 7 + lengths[$0] - 1] })
        let lastLoss = Graph(recording: false)
        let prefix = model.prefixLoss(lastLoss, inputs: inputs, lengths: lengths.map { $0 - 1 }, targets: lastTargets,
                                      objective: .fullSoftmax, rng: &rng)

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
        try compare(out.attention[0], "out.attention0", tolerance: 1e-5)
        try compare(out.attention[1], "out.attention1", tolerance: 1e-5)
        try compare(out.hidden, "out.hidden", tolerance: 1e-5)
        try compare(logits, "out.logits", tolerance: 1e-5)
        try compare(loss, "out.loss_all", tolerance: 1e-5)
        try compare(prefix, "out.loss_last", tolerance: 1e-5)
        for p in model.parameters {
            guard let grad = p.grad else { XCTFail("no gradient for \(p.name)"); continue }
            try compare(grad, "grad.\(p.name)", tolerance: 1e-4)
        }
        print("SASRec golden max abs differences (worst gradient \(worstGradient.name) \(worstGradient.value)):\n  "
              + report.joined(separator: "\n  "))
    }

    /// prefixLoss runs the last layer at each row's last real position only; without dropout that is
    /// the full forward read at those positions, loss and gradients.
    func testPrefixLossEqualsTheFullForwardAtTheLastPositions() {
        let model = SASRec(SASRecConfiguration(items: 12, hidden: 8, layers: 2, heads: 2, inner: 16, maxLength: 6,
                                               hiddenDropout: 0, attentionDropout: 0), seed: Seed(5))
        randomise(model.parameters, std: 0.5, name: "sasrec.prefix")
        var inputs = randomIds("sasrec.prefix.inputs", b: 4, l: 6, items: 12)
        let lengths = [6, 3, 1, 0]
        for (b, n) in lengths.enumerated() { for c in n..<6 { inputs.values[b * 6 + c] = 0 } }
        let targets = IndexTensor([4, 7, 2, 9])
        func lossAndGradients(_ loss: (Graph, inout RandomStream) -> Tensor) -> (Float, [[Float]]) {
            for p in model.parameters { p.grad = nil }
            let g = Graph()
            var rng = Seed(1).stream("dropout")
            let value = loss(g, &rng)
            g.backward(value)
            return (value.item, model.parameters.map { $0.grad?.scalars ?? [] })
        }
        let (pruned, prunedGradients) = lossAndGradients { g, rng in
            model.prefixLoss(g, inputs: inputs, lengths: lengths, targets: targets, objective: .fullSoftmax, rng: &rng)
        }
        let (full, fullGradients) = lossAndGradients { g, rng in
            let hidden = model.lastHidden(g, model.forward(g, inputs, dropout: &rng).hidden, lengths: lengths)
            return model.itemLoss(g, hidden: hidden, targets: targets, objective: .fullSoftmax, rng: &rng)
        }
        XCTAssertEqual(pruned, full, accuracy: 1e-6)
        for (p, (a, b)) in zip(model.parameters, zip(prunedGradients, fullGradients)) {
            XCTAssertEqual(a.count, b.count, p.name)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5, p.name) }
        }
    }

    func testDropoutAndBPRGradientsAgainstFiniteDifferences() throws {
        let model = SASRec(SASRecConfiguration(items: 9, hidden: 6, layers: 2, heads: 2, inner: 8, maxLength: 5,
                                               hiddenDropout: 0.2, attentionDropout: 0.3), seed: Seed(21))
        randomise(model.parameters, std: 0.5, name: "sasrec.loss")
        var inputs = randomIds("sasrec.inputs", b: 3, l: 5, items: 9)
        for c in 3..<5 { inputs.values[5 + c] = 0 }   // row 1 holds 3 items, then padding
        let lengths = [5, 3, 5]
        let targets = IndexTensor([4, 7, 2])
        let sampler = try NegativeSampler.uniform(itemCount: 9)
        for objective in [NextItemObjective.fullSoftmax, .bpr(sampler: sampler)] {
            // A fresh stream per evaluation: every probe sees the same dropout masks and negatives.
            checkGradients(model.parameters, eps: 1e-3, atol: 5e-3, samples: 24) {
                var rng = Seed(4).stream("dropout")
                return model.prefixLoss($0, inputs: inputs, lengths: lengths, targets: targets, objective: objective, rng: &rng)
            }
        }
    }
}
