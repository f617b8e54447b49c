// GRU4Rec against PyTorch: Golden/gru4rec.safetensors (Golden/make_gru4rec_golden.py) holds RecBole
// 1.2.1's GRU4Rec built from torch.nn.Embedding, nn.GRU (bias=False, 2 layers) and nn.Linear in
// float64 (N 12 items + padding, E 6, H 5, B 3, L 6 with lengths 6, 4, 2, no dropout, parameters far
// from initialisation): the last layer's states, RecBole's CE loss on prefix rows, the every-position
// loss on sequence rows, the gradient of every parameter under each, and full_sort_predict's scores.
// Everything must agree to 1e-5 (max absolute difference); the differences are printed.
// Also: the initialisation's statistics are RecBole's scheme, and the training losses (with dropout,
// and BPR) pass finite differences.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class GRU4RecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/gru4rec.safetensors").path

    func testLossesGradientsAndScoresMatchTorch() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let model = GRU4Rec(GRU4RecConfiguration(items: 13, embedding: 6, hidden: 5, layers: 2, dropout: 0), seed: Seed(0))
        XCTAssertEqual(model.parameters.map(\.name),
                       ["item_embedding", "gru_layers.weight_ih_l0", "gru_layers.weight_hh_l0",
                        "gru_layers.weight_ih_l1", "gru_layers.weight_hh_l1", "dense.weight", "dense.bias"])
        try loadGoldenParameters(golden, into: model.parameters)
        let sequence = try golden.indices("input.sequence")                    // [3, 6]
        let lengths = try golden.indices("input.lengths").values.map(Int.init)
        let targets = try golden.indices("input.targets"), labels = try golden.indices("input.labels")

        var report: [String] = []
        var worstGradient: (name: String, value: Float) = ("", 0)
        func compare(_ actual: Tensor, _ name: String, tolerance: Float = 1e-5) throws {
            let expected = try golden.tensor(name)
            XCTAssertEqual(actual.count, expected.count, "\(name): element count")
            guard actual.count == expected.count else { return }
            let worst = maxAbsDifference(actual, expected)
            report.append("\(name) \(worst)")
            if name.contains(".grad."), worst >= worstGradient.value { worstGradient = (name, worst) }
            XCTAssertLessThanOrEqual(worst, tolerance, "\(name): max abs difference \(worst)")
        }

        for kind in ["prefix", "sequence"] {
            for p in model.parameters { p.grad = nil }
            let g = Graph()
            var rng = Seed(1).stream("dropout")
            let before = rng
            let loss = kind == "prefix"
                ? model.prefixLoss(g, inputs: sequence, lengths: lengths, targets: targets, objective: .fullSoftmax, rng: &rng)
                : model.sequenceLoss(g, inputs: sequence, targets: labels, objective: .fullSoftmax, rng: &rng)
            XCTAssertEqual(rng, before, "no dropout: nothing drawn")
            g.backward(loss)
            try compare(loss, "\(kind).loss")
            for p in model.parameters {
                guard let grad = p.grad else { XCTFail("\(kind): no gradient for \(p.name)"); continue }
                try compare(grad, "\(kind).grad.\(p.name)")
            }
        }

        let g = Graph(recording: false)
        let states = model.forward(g, sequence)
        try compare(states, "out.states")
        try compare(model.output(g, states: model.lastState(g, states, lengths: lengths)), "out.output")
        try compare(model.lastPositionScores(g, sequence, lengths: lengths), "out.scores")
        print("GRU4Rec golden max abs differences (worst gradient \(worstGradient.name) \(worstGradient.value)):\n  "
              + report.joined(separator: "\n  "))
    }

    /// RecBole's `_init_weights`: xavier_normal_ on the item table, xavier_uniform_ on layer 0's GRU
    /// weights only; layer 1 and the dense layer keep torch's defaults, U(±1/√H).
    func testInitialisationStatisticsFollowRecBole() {
        let (n, e, h) = (500, 64, 100)
        let model = GRU4Rec(GRU4RecConfiguration(items: n, embedding: e, hidden: h, layers: 2), seed: Seed(7))
        func stats(_ t: Tensor) -> (mean: Double, std: Double, maxAbs: Double) {
            let v = t.scalars.map(Double.init), count = Double(v.count)
            let mean = v.reduce(0, +) / count
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
            return (mean, variance.squareRoot(), v.map(abs).max() ?? 0)
        }
        // Normal: std within 3% (the sample's own spread is about 0.4%), and a normal's tails.
        let table = stats(model.itemEmbedding), expectedStd = (2 / Double(n + e)).squareRoot()   // 0.0595
        XCTAssertEqual(table.std, expectedStd, accuracy: 0.03 * expectedStd, "item_embedding std")
        XCTAssertEqual(table.mean, 0, accuracy: 0.05 * expectedStd, "item_embedding mean")
        XCTAssertGreaterThan(table.maxAbs, 3.5 * expectedStd, "item_embedding: normal tails")
        XCTAssertTrue(model.itemEmbedding.scalars[0..<e].contains { $0 != 0 }, "xavier_normal_ overwrites the padding row")
        // Uniform(±bound): every value inside, the largest near it, std bound/√3 within 3%.
        let bounds: [(String, Double)] = [
            ("gru_layers.weight_ih_l0", (6 / Double(e + 3 * h)).squareRoot()),   // 0.1284
            ("gru_layers.weight_hh_l0", (6 / Double(h + 3 * h)).squareRoot()),   // 0.1225
            ("gru_layers.weight_ih_l1", 1 / Double(h).squareRoot()),             // 0.1
            ("gru_layers.weight_hh_l1", 1 / Double(h).squareRoot()),
            ("dense.weight", 1 / Double(h).squareRoot()),
            ("dense.bias", 1 / Double(h).squareRoot()),
        ]
        for (name, bound) in bounds {
            guard let p = model.parameter(named: name) else { XCTFail("no parameter \(name)"); continue }
            let s = stats(p)
            XCTAssertLessThanOrEqual(s.maxAbs, bound, "\(name): beyond ±\(bound)")
            XCTAssertGreaterThan(s.maxAbs, (p.count > 1000 ? 0.99 : 0.9) * bound, "\(name): bound \(bound) not reached")
            if p.count > 1000 {
                XCTAssertEqual(s.std, bound / 3.0.squareRoot(), accuracy: 0.03 * bound / 3.0.squareRoot(), "\(name) std")
                XCTAssertEqual(s.mean, 0, accuracy: 0.05 * bound, "\(name) mean")
            }
        }
        // Streams derived by name: the same seed gives the same values, another seed others.
        let again = GRU4Rec(GRU4RecConfiguration(items: n, embedding: e, hidden: h, layers: 2), seed: Seed(7))
        XCTAssertEqual(again.parameters.map(\.scalars), model.parameters.map(\.scalars))
        let other = GRU4Rec(GRU4RecConfiguration(items: n, embedding: e, hidden: h, layers: 2), seed: Seed(8))
        XCTAssertNotEqual(other.weightsHH[0].scalars, model.weightsHH[0].scalars)
    }

    func testTrainingLossesAgainstFiniteDifferences() throws {
        let model = GRU4Rec(GRU4RecConfiguration(items: 9, embedding: 4, hidden: 3, layers: 2, dropout: 0.25), seed: Seed(5))
        randomise(model.parameters, std: 0.5, name: "gru4rec.loss")
        var inputs = randomIds("gru4rec.inputs", b: 3, l: 5, items: 9)
        for c in 3..<5 { inputs.values[5 + c] = 0 }   // row 1 holds 3 items, then padding
        let lengths = [5, 3, 5]
        let targets = IndexTensor([2, 7, 0])          // the last row is not counted
        var labels = inputs
        for b in 0..<3 { for c in 0..<4 { labels.values[b * 5 + c] = inputs.values[b * 5 + c + 1] } }
        labels.values[4] = 6; labels.values[5 + 2] = 0; labels.values[14] = 3
        let sampler = try NegativeSampler.uniform(itemCount: 9)
        // A fresh stream per evaluation: every probe sees the same dropout mask and negatives.
        for objective in [NextItemObjective.fullSoftmax, .bpr(sampler: sampler)] {
            checkGradients(model.parameters, eps: 1e-3, atol: 5e-3, samples: 24) {
                var rng = Seed(4).stream("dropout")
                return model.prefixLoss($0, inputs: inputs, lengths: lengths, targets: targets, objective: objective, rng: &rng)
            }
            checkGradients(model.parameters, eps: 1e-3, atol: 5e-3, samples: 24) {
                var rng = Seed(4).stream("dropout")
                return model.sequenceLoss($0, inputs: inputs, targets: labels, objective: objective, rng: &rng)
            }
        }
        // Dropout draws one mask key per forward; evaluation draws nothing and ignores the rate.
        var rng = Seed(4).stream("dropout"), copy = rng
        _ = model.forward(Graph(recording: false), inputs, dropout: &rng)
        _ = copy.next()
        XCTAssertEqual(rng, copy)
        let plain = Graph(recording: false)
        let first = model.lastPositionScores(plain, inputs, lengths: lengths).scalars
        XCTAssertEqual(first, model.lastPositionScores(plain, inputs, lengths: lengths).scalars)
    }

    func testConfigurationBounds() {
        XCTAssertNil(GRU4RecConfiguration.problem(items: 2, embedding: 1, hidden: 1, layers: 1, dropout: 0, maxLength: 1))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 1, embedding: 8, hidden: 8, layers: 1, dropout: 0, maxLength: 5))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 10, embedding: 0, hidden: 8, layers: 1, dropout: 0, maxLength: 5))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 10, embedding: 8, hidden: 8, layers: 0, dropout: 0, maxLength: 5))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 10, embedding: 8, hidden: 8, layers: 1, dropout: 1, maxLength: 5))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 10, embedding: 8, hidden: 8, layers: 1, dropout: .nan, maxLength: 5))
        XCTAssertNotNil(GRU4RecConfiguration.problem(items: 10, embedding: 8, hidden: 8, layers: 1, dropout: 0, maxLength: 0))
        let c = GRU4RecConfiguration(items: 10)
        XCTAssertEqual([c.embedding, c.hidden, c.layers, c.maxLength], [64, 128, 1, 50])
        XCTAssertEqual(c.dropout, 0.3)
    }
}
