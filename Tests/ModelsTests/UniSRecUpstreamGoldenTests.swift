// SeqLab's UniSRec against the AUTHORS' UniSRec (RUCAIBox/UniSRec `unisrec.py` on RecBole 1.2.1),
// not against a copy written from notes: Golden/UniSRecUpstream/unisrec-upstream.safetensors
// (make_unisrec_upstream_golden.py, `make goldens`, which imports the authors' code from
// ../shared/upstream/UniSRec) holds, in float64, the authors' parameters under their state-dict
// names (far from initialisation, float32-representable), a batch of 4 histories (a repeated item,
// a shared target), the gate noise their MoEAdaptorLayer consumed, and per case the loss their
// `calculate_loss` returned with the gradient of every parameter:
//   transductive_ft, inductive_ft   fine-tuning CE over all items (+ full_sort_predict's scores)
//   pretrain_item_drop, pretrain_word_drop
//                                   `pretrain`: L_SI + λ·L_SS with a fixed augmented view of each
//                                   kind, and each task alone (.seqitem, .seqseq)
// SeqLab computes the same through its own entry points (nextItemLoss, pretrainingLoss,
// sequenceVectors / catalogue / cosineScores). Loss, every gradient and the scores must agree to
// 1e-5 (max absolute difference, float32 against float64); the differences are printed.
//
// Where the two codes differ:
//   - Gate noise: the authors draw one ε per POSITION (torch.randn_like of the [B, L, E] logits; one
//     per batch row for the targets), SeqLab one per DISTINCT text row of a pass (UniSRecDraws).
//     The golden's draws are tied per distinct row, so the stored per-position noise is a function
//     SeqLab can be fed: it is collapsed here, and every tie is checked. Untied draws are not
//     representable in SeqLab's entry points (a departure in the noise's joint distribution only).
//   - Ranking: full_sort_predict scores the padding column 0 with its cosine; SeqLab's ranking sets
//     it to −inf. Columns 1... are compared with cosineScores, and all columns with the unmasked
//     cosine of SeqLab's own sequence and catalogue vectors.
// The layers' key biases get no gradient in exact arithmetic (a softmax ignores a shift shared by
// all keys): both sides hold rounding noise there.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class UniSRecUpstreamGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/UniSRecUpstream/unisrec-upstream.safetensors").path

    /// The golden's sizes: N 9 ids, d 6, H 8, 2 heads, inner 12, 2 layers, max length 6, E 3, τ 0.07, dropouts 0.
    let configuration = UniSRecConfiguration(featureWidth: 6, hidden: 8, layers: 2, heads: 2, inner: 12, maxLength: 6,
                                             hiddenDropout: 0, attentionDropout: 0, experts: 3, adaptorDropout: 0, temperature: 0.07)
    let lambda: Float = 1e-3
    let tolerance: Float = 1e-5

    /// THE MAP: SeqLab's parameter name → the authors' state_dict name, and whether PyTorch stores it
    /// transposed (nn.Linear keeps [out, in], SeqLab [in, out]; the authors' w_gate and w_noise are
    /// plain [d, E] parameters, as SeqLab's).
    ///   adaptor.expert<k>.bias    moe_adaptor.experts.<k>.bias               [d]
    ///   adaptor.expert<k>.weight  moe_adaptor.experts.<k>.lin.weight         [H, d]  transposed
    ///   adaptor.gate / .noise     moe_adaptor.w_gate / moe_adaptor.w_noise   [d, E]
    ///   item_embedding            item_embedding.weight                      [N, H]  (transductive)
    ///   position_embedding        position_embedding.weight                  [L, H]
    ///   ln.gamma / ln.beta        LayerNorm.weight / .bias
    ///   layer<i>.q|k|v|o.weight   trm_encoder.layer.<i>.multi_head_attention.query|key|value|dense.weight  transposed
    ///   layer<i>.q|k|v|o.bias     ... .bias
    ///   layer<i>.ln1.gamma|beta   trm_encoder.layer.<i>.multi_head_attention.LayerNorm.weight|bias
    ///   layer<i>.ff1|ff2.weight   trm_encoder.layer.<i>.feed_forward.dense_1|dense_2.weight  transposed
    ///   layer<i>.ff1|ff2.bias     ... .bias
    ///   layer<i>.ln2.gamma|beta   trm_encoder.layer.<i>.feed_forward.LayerNorm.weight|bias
    static func authorsName(of name: String) -> (name: String, transposed: Bool)? {
        switch name {
        case "item_embedding": return ("item_embedding.weight", false)
        case "position_embedding": return ("position_embedding.weight", false)
        case "ln.gamma": return ("LayerNorm.weight", false)
        case "ln.beta": return ("LayerNorm.bias", false)
        case "adaptor.gate": return ("moe_adaptor.w_gate", false)
        case "adaptor.noise": return ("moe_adaptor.w_noise", false)
        default: break
        }
        let parts = name.split(separator: ".").map(String.init)
        guard parts.count == 3 else { return nil }
        if parts[0] == "adaptor", parts[1].hasPrefix("expert"), let k = Int(parts[1].dropFirst(6)) {
            switch parts[2] {
            case "bias": return ("moe_adaptor.experts.\(k).bias", false)
            case "weight": return ("moe_adaptor.experts.\(k).lin.weight", true)
            default: return nil
            }
        }
        let modules = ["q": "multi_head_attention.query", "k": "multi_head_attention.key", "v": "multi_head_attention.value",
                       "o": "multi_head_attention.dense", "ln1": "multi_head_attention.LayerNorm",
                       "ff1": "feed_forward.dense_1", "ff2": "feed_forward.dense_2", "ln2": "feed_forward.LayerNorm"]
        let fields = ["weight": "weight", "gamma": "weight", "bias": "bias", "beta": "bias"]
        guard parts[0].hasPrefix("layer"), let i = Int(parts[0].dropFirst(5)),
              let module = modules[parts[1]], let field = fields[parts[2]] else { return nil }
        return ("trm_encoder.layer.\(i).\(module).\(field)", !module.hasSuffix("LayerNorm") && field == "weight")
    }

    private static func transposed(_ t: Tensor) -> Tensor {
        let (rows, columns) = (t.shape[0], t.shape[1])
        let out = Tensor(zeros: [columns, rows])
        for r in 0..<rows { for c in 0..<columns { out.pointer[c * rows + r] = t.pointer[r * columns + c] } }
        return out
    }

    /// The golden's network in `mode` over its text tables, with the authors' parameters through the map.
    func network(_ golden: SafetensorsFile, mode: UniSRecMode) throws -> UniSRec {
        let features = try golden.tensor("input.plm_embedding"), second = try golden.tensor("input.plm_embedding_aug")
        let table = ItemTextFeatures(rows: features.shape[0], width: features.shape[1], values: features.scalars, secondary: second.scalars)
        let net = UniSRec(configuration, features: table, mode: mode, seed: Seed(0))
        var stored = Set(golden.names.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst(6)) })
        if mode == .inductive { stored.remove("item_embedding.weight") }
        var mapped = Set<String>()
        for p in net.parameters {
            let (name, transposed) = try XCTUnwrap(Self.authorsName(of: p.name), "no authors' name for \(p.name)")
            mapped.insert(name)
            let value = try golden.tensor("param.\(name)")
            let v = transposed ? Self.transposed(value) : value
            XCTAssertEqual(v.shape, p.shape, "shape of \(p.name) from \(name)")
            p.copy(from: v)
        }
        XCTAssertEqual(mapped, stored, "\(mode): the map covers every parameter of the authors' \(mode) model, once")
        return net
    }

    /// The authors' per-position draws `drawn` [positions..., E] of a pass whose positions read the
    /// text rows `sources`, as SeqLab takes them: one row per distinct source, ascending. Every
    /// position of a source must hold the same draw (the generator ties them).
    func perDistinctRow(_ drawn: Tensor, sources: [Int32], label: String) -> Tensor {
        let e = configuration.experts
        XCTAssertEqual(drawn.count, sources.count * e, "\(label): one draw per position and expert")
        let (rows, index) = UniSRec.distinctRows(sources)
        let out = Tensor(zeros: [rows.count, e])
        var seen = [Bool](repeating: false, count: rows.count)
        for (position, r) in index.enumerated() {
            let row = Int(r)
            for k in 0..<e {
                let value = drawn.pointer[position * e + k]
                if seen[row] {
                    XCTAssertEqual(out.pointer[row * e + k], value, "\(label): position \(position) of row \(rows[row]) holds another draw")
                } else {
                    out.pointer[row * e + k] = value
                }
            }
            seen[row] = true
        }
        return out
    }

    /// Compares SeqLab's loss and every gradient with the golden's `prefix` (authors' layout).
    func compare(_ prefix: String, loss: Tensor, parameters: [Tensor], golden: SafetensorsFile,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try golden.tensor("\(prefix).loss").item
        let lossDifference = abs(loss.item - expected)
        XCTAssertLessThanOrEqual(lossDifference, tolerance, "\(prefix): loss \(loss.item), the authors' \(expected)", file: file, line: line)
        let stored = golden.names.filter { $0.hasPrefix("\(prefix).grad.") }
        XCTAssertEqual(stored.count, parameters.count, "\(prefix): one gradient per parameter", file: file, line: line)
        var report: [String] = []
        var worst: (name: String, value: Float) = ("", 0)
        for p in parameters {
            let (name, transposed) = try XCTUnwrap(Self.authorsName(of: p.name))
            guard let grad = p.grad else { XCTFail("\(prefix): no gradient for \(p.name)", file: file, line: line); continue }
            let difference = maxAbsDifference(transposed ? Self.transposed(grad) : grad, try golden.tensor("\(prefix).grad.\(name)"))
            report.append("\(name) \(difference)")
            if difference >= worst.value { worst = (name, difference) }
            XCTAssertLessThanOrEqual(difference, tolerance, "\(prefix): gradient of \(p.name) (\(name))", file: file, line: line)
        }
        print("UniSRec vs the authors' \(prefix): loss \(loss.item), |Δloss| \(lossDifference), worst gradient difference \(worst.value) (\(worst.name)) over \(parameters.count) tensors\n  "
              + report.joined(separator: "\n  "))
    }

    func inputs(_ golden: SafetensorsFile) throws -> (ids: IndexTensor, lengths: [Int], targets: IndexTensor) {
        (try golden.indices("input.item_id_list"), try golden.indices("input.item_length").values.map(Int.init),
         try golden.indices("input.item_id"))
    }

    /// Fine-tuning: calculate_loss with noisy gates, then full_sort_predict with clean ones.
    func fineTuning(_ stage: String, mode: UniSRecMode) throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden, mode: mode)
        let (ids, lengths, targets) = try inputs(golden)
        let given: [AdaptorPass: Tensor] = [
            .sequence: perDistinctRow(try golden.tensor("noise.\(stage).0"), sources: ids.values, label: "\(stage) history noise"),
            .catalogue: try golden.tensor("noise.\(stage).1"),       // [N, E]: one per row on both sides
        ]
        var draws = UniSRecDraws(dropout: Seed(1).stream("dropout"), givenNoise: given)
        let g = Graph()
        let loss = net.nextItemLoss(g, ids, lengths: lengths, targets: targets, draws: &draws)
        g.backward(loss)
        try compare(stage, loss: loss, parameters: net.parameters, golden: golden)

        // Scores: the authors' full_sort_predict (eval: clean gates) against SeqLab's ranking.
        let e = Graph(recording: false)
        var evaluation = UniSRecDraws.evaluation
        let h = net.sequenceVectors(e, ids, lengths: lengths, draws: &evaluation)
        let candidates = net.catalogue(e, draws: &evaluation)
        let ranking = net.cosineScores(e, sequences: h, catalogue: candidates)
        let cosine = e.matmul(e.l2Normalize(h), e.l2Normalize(candidates), transposeB: true)   // no padding mask
        let expected = try golden.tensor("\(stage).scores")
        let n = expected.shape[1]
        XCTAssertEqual(ranking.shape, expected.shape)
        var (worstRanking, worstCosine): (Float, Float) = (0, 0)
        for b in 0..<ranking.rows {
            XCTAssertEqual(ranking.pointer[b * n], -.infinity, "SeqLab ranks padding last")
            for i in 1..<n { worstRanking = max(worstRanking, abs(ranking.pointer[b * n + i] - expected.pointer[b * n + i])) }
            for i in 0..<n { worstCosine = max(worstCosine, abs(cosine.pointer[b * n + i] - expected.pointer[b * n + i])) }
        }
        let padding = (0..<expected.rows).map { expected.pointer[$0 * n] }
        print("UniSRec vs the authors' \(stage).scores: worst difference \(worstRanking) over columns 1..<\(n) (cosineScores), "
              + "\(worstCosine) over all columns (unmasked cosine); the authors' padding column \(padding), SeqLab's −inf")
        XCTAssertLessThanOrEqual(worstRanking, tolerance)
        XCTAssertLessThanOrEqual(worstCosine, tolerance)
    }

    func testTransductiveFineTuningIsTheAuthors() throws {
        try fineTuning("transductive_ft", mode: .transductive)
    }

    func testInductiveFineTuningIsTheAuthors() throws {
        try fineTuning("inductive_ft", mode: .inductive)
    }

    /// Pretraining on one fixed view: the total and each task alone, one graph each.
    func pretraining(_ view: String) throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden, mode: .inductive)
        let (ids, lengths, targets) = try inputs(golden)
        let c = "pretrain_\(view)"
        let augmented = AugmentedView(items: try golden.indices("\(c).input.item_id_list_aug"),
                                      lengths: try golden.indices("\(c).input.item_length_aug").values.map(Int.init),
                                      sources: try golden.indices("\(c).input.aug_sources"))
        let given: [AdaptorPass: Tensor] = [
            .sequence: perDistinctRow(try golden.tensor("noise.\(c).0"), sources: ids.values, label: "\(c) history noise"),
            .targets: perDistinctRow(try golden.tensor("noise.\(c).1"), sources: targets.values, label: "\(c) target noise"),
            .augmented: perDistinctRow(try golden.tensor("noise.\(c).2"), sources: augmented.sources!.values, label: "\(c) view noise"),
        ]
        for (suffix, pick) in [("", \UniSRecPretrainingLoss.total), (".seqitem", \.sequenceItem), (".seqseq", \.sequenceSequence)] {
            for p in net.parameters { p.grad = nil }
            var draws = UniSRecDraws(dropout: Seed(1).stream("dropout"), givenNoise: given)
            let g = Graph()
            let loss = net.pretrainingLoss(g, ids, lengths: lengths, targets: targets.values, augmented: augmented,
                                           lambda: lambda, draws: &draws)[keyPath: pick]
            g.backward(loss)
            try compare(c + suffix, loss: loss, parameters: net.parameters, golden: golden)
        }
    }

    func testPretrainingWithAnItemDropViewIsTheAuthors() throws {
        try pretraining("item_drop")
    }

    func testPretrainingWithAWordDropViewIsTheAuthors() throws {
        try pretraining("word_drop")
    }
}
