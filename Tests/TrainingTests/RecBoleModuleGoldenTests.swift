// SeqLab's SASRec and GRU4Rec against RecBole 1.2.1's own classes, not a copy written from notes:
// Tests/ModelsTests/Golden/RecBole/recbole-modules.safetensors (make_recbole_golden.py, `make
// goldens`) holds, per model, RecBole's parameters under their state-dict names (float64, PyTorch
// layouts, set far from initialisation), a batch of three left-aligned rows, the loss RecBole's
// `calculate_loss` returned (CE), the gradient of every parameter, and `full_sort_predict`'s scores.
// The weights reach SeqLab through the same map `importModel` and `export(layout: "recbole")` use
// (RecBoleLayout), so the test checks the map as well as the arithmetic. Everything must agree to
// 1e-5 (float32 against float64); the differences are printed.
//
// RecBole's NextItNet is SeqLab's `nextitnet-recbole` family, not its NextItNet (Docs/fidelity.md
// says how they differ). Not compared here: RecBole's BPR case (`sasrec_bpr`), whose negatives are
// fixed in the file while SeqLab draws its own (BPR is gradient-checked in SASRecGoldenTests), and
// RecBole 1.2.1's BERT4Rec (RecBoleBERT4RecGoldenTests).

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors
@testable import Training

final class RecBoleModuleGoldenTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Golden/RecBole/recbole-modules.safetensors").standardized.path

    /// Copies `prefix.param.<RecBole name>` into every parameter of `parameters` through `layout`.
    private func load(_ file: SafetensorsFile, prefix: String, into parameters: [Tensor], layout: any RecBoleLayout.Type) throws {
        let names = file.names.filter { $0.hasPrefix(prefix + ".param.") }
        XCTAssertEqual(names.count, parameters.count, "\(prefix): every RecBole parameter maps to one of SeqLab's")
        for p in parameters {
            let (name, transposed) = try XCTUnwrap(layout.recboleName(of: p.name), p.name)
            let value = try file.tensor("\(prefix).param.\(name)")
            if layout.isConvolution(p.name) {
                let s = p.shape                                        // ours [k, I, O], RecBole's [O, I, 1, k]
                XCTAssertEqual(value.shape, [s[2], s[1], 1, s[0]], p.name)
                convolutionLayout(value.pointer, kernel: s[0], inputs: s[1], outputs: s[2], toSeqLab: true, into: p.pointer)
            } else {
                try assign(value, to: p, transposed: transposed)
            }
        }
    }

    private func assign(_ value: Tensor, to p: Tensor, transposed: Bool) throws {
        XCTAssertEqual(transposed ? Array(value.shape.reversed()) : value.shape, p.shape, p.name)
        if transposed {
            let (rows, columns) = (value.shape[0], value.shape[1])
            transpose(value.pointer, rows: rows, columns: columns, into: p.pointer)
        } else {
            p.pointer.update(from: value.pointer, count: value.count)
        }
    }

    /// SeqLab's gradient of `p` in RecBole's layout.
    private func recboleLayout(_ grad: Tensor, transposed: Bool) -> Tensor {
        guard transposed else { return grad }
        let (rows, columns) = (grad.shape[0], grad.shape[1])
        let t = Tensor(zeros: [columns, rows])
        transpose(grad.pointer, rows: rows, columns: columns, into: t.pointer)
        return t
    }

    private func check(_ prefix: String, parameters: [Tensor], layout: any RecBoleLayout.Type, file: SafetensorsFile,
                       loss: (Graph) -> Tensor, scores: (Graph) -> Tensor) throws {
        var report: [String] = []
        func compare(_ actual: Tensor, _ name: String) throws {
            let expected = try file.tensor(name)
            XCTAssertEqual(actual.count, expected.count, "\(name): element count")
            guard actual.count == expected.count else { return }
            let worst = maxAbsDifference(actual, expected)
            report.append("\(name) \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): max abs difference \(worst)")
        }
        for p in parameters { p.grad = nil }
        let g = Graph()
        let l = loss(g)
        g.backward(l)
        try compare(l, "\(prefix).loss")
        for p in parameters {
            let (name, transposed) = try XCTUnwrap(layout.recboleName(of: p.name))
            let grad = try XCTUnwrap(p.grad, "no gradient for \(p.name)")
            if layout.isConvolution(p.name) {
                let s = p.shape
                let t = Tensor(zeros: [s[2], s[1], 1, s[0]])
                convolutionLayout(grad.pointer, kernel: s[0], inputs: s[1], outputs: s[2], toSeqLab: false, into: t.pointer)
                try compare(t, "\(prefix).grad.\(name)")
            } else {
                try compare(recboleLayout(grad, transposed: transposed), "\(prefix).grad.\(name)")
            }
        }
        try compare(scores(Graph(recording: false)), "\(prefix).scores")
        print("\(prefix) against RecBole 1.2.1, max abs differences:\n  " + report.joined(separator: "\n  "))
    }

    func testSASRecIsRecBolesSASRec() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        let model = SASRec(SASRecConfiguration(items: 20, hidden: 8, layers: 2, heads: 2, inner: 16, maxLength: 6,
                                               hiddenDropout: 0, attentionDropout: 0), seed: Seed(0))
        try load(file, prefix: "sasrec", into: model.parameters, layout: SASRecFamily.self)
        let ids = try file.indices("sasrec.input.item_id_list")
        let lengths = try file.indices("sasrec.input.item_length").values.map(Int.init)
        let targets = try file.indices("sasrec.input.item_id")
        try check("sasrec", parameters: model.parameters, layout: SASRecFamily.self, file: file, loss: { g in
            var rng = Seed(1).stream("dropout")
            return model.prefixLoss(g, inputs: ids, lengths: lengths, targets: targets, objective: .fullSoftmax, rng: &rng)
        }, scores: { g in model.lastPositionScores(g, ids, lengths: lengths) })
    }

    func testGRU4RecIsRecBolesGRU4Rec() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        let model = GRU4Rec(GRU4RecConfiguration(items: 13, embedding: 6, hidden: 5, layers: 2, dropout: 0, maxLength: 6), seed: Seed(0))
        try load(file, prefix: "gru4rec", into: model.parameters, layout: GRU4RecFamily.self)
        let ids = try file.indices("gru4rec.input.item_id_list")
        let lengths = try file.indices("gru4rec.input.item_length").values.map(Int.init)
        let targets = try file.indices("gru4rec.input.item_id")
        try check("gru4rec", parameters: model.parameters, layout: GRU4RecFamily.self, file: file, loss: { g in
            var rng = Seed(1).stream("dropout")
            return model.prefixLoss(g, inputs: ids, lengths: lengths, targets: targets, objective: .fullSoftmax, rng: &rng)
        }, scores: { g in model.lastPositionScores(g, ids, lengths: lengths) })
    }

    /// RecBole's NextItNet (SeqLab's `nextitnet-recbole` family): the residual blocks, the last column,
    /// the final layer and the tied table, against RecBole's own class (the padding rows of the batch
    /// sit before the last column, so the read state is the padding position's, as in RecBole).
    func testRecBoleNextItNetIsRecBolesNextItNet() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        let model = RecBoleNextItNet(RecBoleNextItNetConfiguration(items: 20, channels: 8, kernel: 3, dilations: [1, 2], maxLength: 6),
                                     seed: Seed(0))
        try load(file, prefix: "nextitnet", into: model.parameters, layout: RecBoleNextItNetFamily.self)
        let ids = try file.indices("nextitnet.input.item_id_list")
        let targets = try file.indices("nextitnet.input.item_id")
        let lengths = ids.values.chunked(6).map { row in row.filter { $0 != 0 }.count }
        try check("nextitnet", parameters: model.parameters, layout: RecBoleNextItNetFamily.self, file: file, loss: { g in
            var rng = Seed(1).stream("dropout")
            return model.prefixLoss(g, inputs: ids, lengths: lengths, targets: targets, objective: .fullSoftmax, rng: &rng)
        }, scores: { g in model.lastPositionScores(g, ids, lengths: lengths) })
    }

    /// The configuration a RecBole checkpoint's config gives is the one the golden's modules were
    /// built with: the entries SASRec's layout derives from RecBole's names.
    func testRecBoleConfigBecomesSeqLabEntries() throws {
        let shapes = ["item_embedding.weight": [20, 8], "position_embedding.weight": [6, 8],
                      "trm_encoder.layer.0.feed_forward.dense_1.weight": [16, 8], "trm_encoder.layer.1.feed_forward.dense_1.weight": [16, 8]]
        var defaults = RecBoleDefaults()
        defaults.heads = 2
        let entries = try SASRecFamily.entries(config: nil, shapes: shapes, defaults: defaults)
        XCTAssertEqual(entries.map { "\($0.0)=\($0.1)" },
                       ["items=20", "hidden=8", "layers=2", "heads=2", "inner=16", "maxLength=6", "dropout=0.5",
                        "attentionDropout=0.5", "rows=prefix", "loss=softmax"])
    }
}

private extension Array {
    /// Consecutive slices of `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
