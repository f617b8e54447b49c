// UniSRec against PyTorch: Golden/unisrec.safetensors (Golden/make_unisrec_golden.py) holds an
// independent PyTorch UniSRec in float64 (N 9 ids, d 6, H 8, 2 heads, inner 12, 2 layers, max
// length 6, E 3 experts, τ 0.07, λ 1e-3, B 4 histories with a repeated item and a shared target),
// parameters far from initialisation, dropout off and the gate noise on with its draws given, and
// for four cases the loss and the gradient of every parameter:
//   finetune   transductive fine-tuning CE (adaptor, item table, encoder), plus the evaluation scores
//   pretrain   L_SI + λ·L_SS with a fixed augmented view (item-dropped and word-dropped rows)
//   seqitem    L_SI alone;  seqseq  L_SS alone
// Loss and every gradient must agree to 1e-4 (max absolute difference), the scores to 1e-5; the
// worst differences are printed. The layers' key biases get no gradient in exact arithmetic (a
// softmax ignores a shift shared by all keys): both sides hold rounding noise there.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class UniSRecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/unisrec.safetensors").path

    let configuration = UniSRecConfiguration(featureWidth: 6, hidden: 8, layers: 2, heads: 2, inner: 12, maxLength: 6,
                                             hiddenDropout: 0, attentionDropout: 0, experts: 3, adaptorDropout: 0, temperature: 0.07)

    /// The golden's network in `mode`, with its parameters.
    func network(_ golden: SafetensorsFile, mode: UniSRecMode) throws -> UniSRec {
        let features = try golden.tensor("input.features"), second = try golden.tensor("input.features2")
        let table = ItemTextFeatures(rows: features.shape[0], width: features.shape[1], values: features.scalars, secondary: second.scalars)
        let net = UniSRec(configuration, features: table, mode: mode, seed: Seed(0))
        try loadGoldenParameters(golden, into: net.parameters, absent: mode == .inductive ? ["item_embedding"] : [],
                                 label: "\(mode)")
        return net
    }

    /// Draws with no dropout (rates are 0) and the golden's gate noise for `passes` of `name`.
    func draws(_ golden: SafetensorsFile, _ name: String, _ passes: [AdaptorPass]) throws -> UniSRecDraws {
        var given: [AdaptorPass: Tensor] = [:]
        for pass in passes { given[pass] = try golden.tensor("noise.\(name).\(pass.rawValue)") }
        return UniSRecDraws(dropout: Seed(1).stream("dropout"), givenNoise: given)
    }

    /// Compares the loss and every parameter's gradient with the golden's case `name`.
    func compare(_ name: String, loss: Tensor, parameters: [Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let lossDifference = abs(loss.item - (try golden.tensor("\(name).loss").item))
        XCTAssertLessThanOrEqual(lossDifference, 1e-4, "\(name): loss \(loss.item)", file: file, line: line)
        var worst: (name: String, value: Float) = ("", 0)
        for p in parameters {
            guard let grad = p.grad else { XCTFail("\(name): no gradient for \(p.name)", file: file, line: line); continue }
            let difference = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
            if difference >= worst.value { worst = (p.name, difference) }
            XCTAssertLessThanOrEqual(difference, 1e-4, "\(name): gradient of \(p.name)", file: file, line: line)
        }
        print("UniSRec golden \(name): loss \(loss.item), |Δloss| \(lossDifference), worst gradient difference \(worst.value) (\(worst.name)) over \(parameters.count) tensors")
    }

    func inputs(_ golden: SafetensorsFile) throws -> (ids: IndexTensor, lengths: [Int], targets: IndexTensor) {
        (try golden.indices("input.ids"), try golden.indices("input.lengths").values.map(Int.init), try golden.indices("input.targets"))
    }

    func testTransductiveFineTuningStep() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden, mode: .transductive)
        let (ids, lengths, targets) = try inputs(golden)
        var draws = try draws(golden, "finetune", [.sequence, .catalogue])
        let before = draws.dropout
        let g = Graph()
        let loss = net.nextItemLoss(g, ids, lengths: lengths, targets: targets, draws: &draws)
        XCTAssertEqual(draws.dropout, before, "dropout rates 0 draw nothing")
        g.backward(loss)
        try compare("finetune", loss: loss, parameters: net.parameters)
        XCTAssertNotEqual(net.itemEmbedding!.grad!.scalars[0..<8].map(abs).max(), 0, "the padding row trains through the candidates")

        // Ranking: plain cosine without noise, padding at −inf.
        let e = Graph(recording: false)
        var evaluation = UniSRecDraws.evaluation
        let h = net.sequenceVectors(e, ids, lengths: lengths, draws: &evaluation)
        let scores = net.cosineScores(e, sequences: h, catalogue: net.catalogue(e, draws: &evaluation))
        let expected = try golden.tensor("finetune.scores")
        let n = scores.lastDim
        var worst: Float = 0
        for b in 0..<scores.rows {
            XCTAssertEqual(scores.pointer[b * n], -.infinity)
            for i in 1..<n { worst = max(worst, abs(scores.pointer[b * n + i] - expected.pointer[b * n + i])) }
        }
        print("UniSRec golden finetune scores: worst difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    /// The pretraining losses of the golden's batch and fixed view, one graph per call.
    func pretraining(_ net: UniSRec, _ golden: SafetensorsFile, _ g: Graph) throws -> UniSRecPretrainingLoss {
        let (ids, lengths, targets) = try inputs(golden)
        let view = AugmentedView(items: try golden.indices("input.aug.ids"),
                                 lengths: try golden.indices("input.aug.lengths").values.map(Int.init),
                                 sources: try golden.indices("input.aug.sources"))
        var draws = try draws(golden, "pretrain", [.sequence, .targets, .augmented])
        return net.pretrainingLoss(g, ids, lengths: lengths, targets: targets.values, augmented: view, lambda: 1e-3, draws: &draws)
    }

    func testPretrainingStepAndEachContrastiveLoss() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden, mode: .inductive)
        for (name, pick) in [("pretrain", \UniSRecPretrainingLoss.total), ("seqitem", \.sequenceItem), ("seqseq", \.sequenceSequence)] {
            for p in net.parameters { p.grad = nil }
            let g = Graph()
            let loss = try pretraining(net, golden, g)[keyPath: pick]
            g.backward(loss)
            try compare(name, loss: loss, parameters: net.parameters)
        }
    }
}
