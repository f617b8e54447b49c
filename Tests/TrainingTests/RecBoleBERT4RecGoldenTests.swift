// SeqLab's BERT4Rec with `recbole: .v1_2_1` against RecBole 1.2.1's own BERT4Rec class:
// Tests/ModelsTests/Golden/RecBole/recbole-modules.safetensors (make_recbole_golden.py, `make
// goldens`) holds, under `bert4rec.`, RecBole's parameters under their state-dict names (float64,
// PyTorch layouts, set far from initialisation), the masked batch RecBole's MaskItemSequence would
// make for fixed masked positions (`Mask_item_id_list`, `MASK_INDEX`, `Pos_item_id`, left-padded to
// mask_item_length 3, a mask at position 0 given weight 0), the loss `calculate_loss` returned (CE),
// every parameter's gradient, and `full_sort_predict`'s scores on the unmasked rows, with the
// config in the file's metadata (`bert4rec.config`). The weights reach SeqLab through the map
// `importModel` and `export(layout: "recbole")` use (BERT4RecRecBoleLayout.swift), so the test
// checks the map as well as the arithmetic. Loss, gradients and scores must agree to 1e-5 (float32
// against float64); the differences are printed.
//
// Scores: RecBole's are [B, n_items], the padding column 0 kept and the mask token's row left out;
// SeqLab's are the same N = n_items columns, so every column is compared.

import Foundation
import TestSupport
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class RecBoleBERT4RecGoldenTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Golden/RecBole/recbole-modules.safetensors").standardized.path

    /// The configuration RecBole's class was built with, read from the file's `bert4rec.config`.
    private func configuration(_ file: SafetensorsFile) throws -> BERT4RecConfiguration {
        let text = try XCTUnwrap(file.metadata["bert4rec.config"], "the golden file has no bert4rec.config")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        func int(_ key: String) throws -> Int { try XCTUnwrap(config[key] as? Int, key) }
        func number(_ key: String) throws -> Double { try XCTUnwrap((config[key] as? NSNumber)?.doubleValue, key) }
        XCTAssertEqual(config["hidden_act"] as? String, "gelu")
        XCTAssertEqual(config["loss_type"] as? String, "CE")
        // RecBole's n_items counts the padding id, as SeqLab's `items` does; its item table has one
        // more row, the mask token n_items (bert4rec.py: mask_token = n_items, Embedding(n_items + 1)).
        return BERT4RecConfiguration(items: try int("n_items"), hidden: try int("hidden_size"), layers: try int("n_layers"),
                                     heads: try int("n_heads"), inner: try int("inner_size"),
                                     maxLength: try int("MAX_ITEM_LIST_LENGTH"),
                                     hiddenDropout: Float(try number("hidden_dropout_prob")),
                                     attentionDropout: Float(try number("attn_dropout_prob")),
                                     maskRatio: try number("mask_ratio"), layerNormEps: Float(try number("layer_norm_eps")),
                                     initializerRange: Float(try number("initializer_range")), recbole: .v1_2_1)
    }

    /// Copies `bert4rec.param.<RecBole name>` into every parameter through BERT4Rec's RecBole layout.
    private func load(_ file: SafetensorsFile, into parameters: [Tensor]) throws {
        for p in parameters {
            let (name, transposed) = try XCTUnwrap(BERT4RecFamily.recboleName(of: p.name), p.name)
            let value = try file.tensor("bert4rec.param.\(name)")
            XCTAssertEqual(transposed ? Array(value.shape.reversed()) : value.shape, p.shape, p.name)
            if transposed {
                let (rows, columns) = (value.shape[0], value.shape[1])   // file [out, in] → ours [in, out]
                transpose(value.pointer, rows: rows, columns: columns, into: p.pointer)
            } else {
                p.pointer.update(from: value.pointer, count: value.count)
            }
        }
    }

    /// SeqLab's gradient of a parameter in RecBole's layout.
    private func recboleLayout(_ grad: Tensor, transposed: Bool) -> Tensor {
        guard transposed else { return grad }
        let (rows, columns) = (grad.shape[0], grad.shape[1])
        let t = Tensor(zeros: [columns, rows])
        transpose(grad.pointer, rows: rows, columns: columns, into: t.pointer)
        return t
    }

    /// RecBole's `reconstruct_test_data`, restated from bert4rec.py to check SeqLab's layout against:
    /// append a padding column, write the mask token at column `len`, drop column 0.
    private func reconstructTestData(_ sequence: IndexTensor, lengths: [Int], maskToken: Int32) -> IndexTensor {
        let (b, l) = (sequence.shape[0], sequence.shape[1])
        var values: [Int32] = []
        for r in 0..<b {
            var row = Array(sequence.values[(r * l)..<((r + 1) * l)]) + [0]   // [max_len + 1]
            row[lengths[r]] = maskToken
            values += row.dropFirst()                                           // [max_len]
        }
        return IndexTensor(shape: [b, l], values: values)
    }

    func testRecBole121VariantIsRecBolesBERT4Rec() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        let c = try configuration(file)
        let model = BERT4Rec(c, seed: Seed(0))
        XCTAssertEqual(model.maskToken, 20)
        XCTAssertEqual(model.itemEmbedding.shape, [21, 8], "n_items + 1 rows, the last the mask token")
        XCTAssertEqual(model.positionEmbedding.shape, [6, 8], "1.2.1: MAX_ITEM_LIST_LENGTH rows")
        XCTAssertEqual(c.maxPredictions, 3, "int(0.5 · 6), RecBole's mask_item_length")
        try load(file, into: model.parameters)

        // RecBole's masked-slot format → SeqLab's flat positions: a slot counts where MASK_INDEX > 0
        // (RecBole weights the others 0: `targets = (masked_index > 0).float()`).
        let masked = try file.indices("bert4rec.input.Mask_item_id_list")                 // [3, 6]
        let index = try file.indices("bert4rec.input.MASK_INDEX")                          // [3, 3]
        let items = try file.indices("bert4rec.input.Pos_item_id")                         // [3, 3]
        let (b, l, slots) = (masked.shape[0], masked.shape[1], index.shape[1])
        var positions: [Int] = [], targets: [Int32] = []
        for r in 0..<b {
            for s in 0..<slots where index.values[r * slots + s] > 0 {
                positions.append(r * l + Int(index.values[r * slots + s]))
                targets.append(items.values[r * slots + s])
            }
        }
        XCTAssertEqual(positions.count, 5, "rows 0 and 2 predict 3 and 1 slots, row 1 one (its position 0 has weight 0)")
        let batch = MaskedSequences(inputs: masked, positions: positions, targets: IndexTensor(targets))

        let g = Graph()
        var rng = Seed(1).stream("dropout")
        let before = rng
        let loss = model.maskedLoss(g, masked: batch, rng: &rng)
        XCTAssertEqual(rng, before, "no dropout: nothing drawn")
        g.backward(loss)

        // full_sort_predict on the unmasked rows: SeqLab's layout must be reconstruct_test_data's.
        let sequence = try file.indices("bert4rec.input.item_id_list")
        let lengths = try file.indices("bert4rec.input.item_length").values.map(Int.init)
        let inputs = model.predictionInputs(sequence, lengths: lengths, width: c.predictionWidth(longest: l))
        XCTAssertEqual(inputs, reconstructTestData(sequence, lengths: lengths, maskToken: model.maskToken))
        let scores = g.withoutRecording {
            model.scores(g, hidden: model.maskHidden(g, model.forward(g, inputs).hidden, lengths: lengths))   // [3, 20]
        }

        // The same scores through the recommender's evaluation path (its own width and layout).
        let recommender = BERT4RecRecommender(c, seed: Seed(0))
        try load(file, into: recommender.parameters)
        var storage: [Int32] = [], starts: [Int] = [], ends: [Int] = []
        for r in 0..<b {
            starts.append(storage.count)
            storage += sequence.values[(r * l)..<(r * l + lengths[r])]
            ends.append(storage.count)
            storage.append(1)   // a target, which scoring does not read (BERT4Rec does not read item_id)
        }
        let rows = try Rows(kind: .prefix, storage: storage, users: [1, 2, 3], starts: starts, ends: ends)
        var batcher = try Batcher(rows: rows, batchSize: b, width: l)
        var rowBatch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &rowBatch))
        let evaluated = Tensor(zeros: [b, c.items])
        try recommender.score(rowBatch, into: evaluated.pointer)

        var report: [String] = []
        func compare(_ actual: Tensor, _ name: String) throws {
            let expected = try file.tensor(name)
            XCTAssertEqual(actual.count, expected.count, "\(name): element count")
            guard actual.count == expected.count else { return }
            let worst = maxAbsDifference(actual, expected)
            report.append("\(name) \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): max abs difference \(worst)")
        }
        try compare(loss, "bert4rec.loss")
        for p in model.parameters {
            let (name, transposed) = try XCTUnwrap(BERT4RecFamily.recboleName(of: p.name))
            let grad = try XCTUnwrap(p.grad, "no gradient for \(p.name)")
            try compare(recboleLayout(grad, transposed: transposed), "bert4rec.grad.\(name)")
        }
        try compare(scores, "bert4rec.scores")
        report.append("(recommender.score)")
        try compare(evaluated, "bert4rec.scores")
        print("bert4rec (recbole: 1.2.1) against RecBole 1.2.1, max abs differences:\n  " + report.joined(separator: "\n  "))
    }

    /// Every SeqLab parameter of the 1.2.1 variant has exactly one RecBole name, present in the
    /// golden file with its shape, and no RecBole parameter is left over; the export order is
    /// RecBole's state-dict order (own parameter `output_bias` first, then the submodules).
    func testLayoutMapsEveryParameterOnceInRecBolesOrder() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        let model = BERT4Rec(try configuration(file), seed: Seed(0))
        let recbole = Set(file.names.filter { $0.hasPrefix("bert4rec.param.") }.map { String($0.dropFirst("bert4rec.param.".count)) })
        var used: [String: String] = [:]
        for p in model.parameters {
            let (name, transposed) = try XCTUnwrap(BERT4RecFamily.recboleName(of: p.name), "\(p.name) has no RecBole name")
            XCTAssertNil(used[name], "\(name) is claimed by both \(used[name] ?? "") and \(p.name)")
            used[name] = p.name
            XCTAssertTrue(recbole.contains(name), "\(p.name) → \(name), which RecBole's BERT4Rec does not have")
            if recbole.contains(name) {
                XCTAssertEqual(try file.entry("bert4rec.param.\(name)").shape, transposed ? Array(p.shape.reversed()) : p.shape, name)
            }
        }
        XCTAssertEqual(recbole.subtracting(used.keys).sorted(), [], "RecBole parameters SeqLab does not have")
        XCTAssertEqual(model.parameters.count, 41, "36 of the encoder (4 + 2 layers of 16) and 5 of the head")

        let order = model.parameters.compactMap { BERT4RecFamily.recboleName(of: $0.name)?.name }
            .enumerated().sorted { (BERT4RecFamily.recboleOrder($0.element), $0.offset) < (BERT4RecFamily.recboleOrder($1.element), $1.offset) }
            .map(\.element)
        let layer = ["multi_head_attention.query.weight", "multi_head_attention.query.bias", "multi_head_attention.key.weight",
                     "multi_head_attention.key.bias", "multi_head_attention.value.weight", "multi_head_attention.value.bias",
                     "multi_head_attention.dense.weight", "multi_head_attention.dense.bias",
                     "multi_head_attention.LayerNorm.weight", "multi_head_attention.LayerNorm.bias",
                     "feed_forward.dense_1.weight", "feed_forward.dense_1.bias", "feed_forward.dense_2.weight",
                     "feed_forward.dense_2.bias", "feed_forward.LayerNorm.weight", "feed_forward.LayerNorm.bias"]
        XCTAssertEqual(order, ["output_bias", "item_embedding.weight", "position_embedding.weight"]
                       + (0..<2).flatMap { i in layer.map { "trm_encoder.layer.\(i).\($0)" } }
                       + ["LayerNorm.weight", "LayerNorm.bias", "output_ffn.weight", "output_ffn.bias", "output_ln.weight", "output_ln.bias"])
    }

    /// A bare RecBole 1.2.1 state dict's shapes give the golden's sizes, RecBole's BERT4Rec.yaml
    /// training settings and the 1.2.1 variant; the model built from them has the file's shapes.
    func testBareStateDictBecomesThe121Variant() throws {
        let file = try SafetensorsFile(contentsOf: Self.golden)
        var shapes: [String: [Int]] = [:]
        for name in file.names where name.hasPrefix("bert4rec.param.") {
            shapes[String(name.dropFirst("bert4rec.param.".count))] = try file.entry(name).shape
        }
        let entries = try BERT4RecFamily.entries(config: nil, shapes: shapes, defaults: RecBoleDefaults())
        XCTAssertEqual(entries.map { "\($0.0)=\($0.1)" },
                       ["items=20", "hidden=8", "layers=2", "heads=2", "inner=16", "maxLength=6", "dropout=0.2",
                        "attentionDropout=0.2", "maskRatio=0.2", "rows=prefix", "recbole=1.2.1"])
        let built = try XCTUnwrap(ModelCatalog.build([("model", BERT4RecFamily.kind)] + entries, name: "b", seed: Seed(1))
                                  as? BERT4RecRecommender)
        XCTAssertEqual(built.network.configuration.recbole, .v1_2_1)
        XCTAssertEqual(built.configurationEntries.map { "\($0.0)=\($0.1)" }, ["model=bert4rec"] + entries.map { "\($0.0)=\($0.1)" })
        for p in built.parameters {
            let (name, transposed) = try XCTUnwrap(BERT4RecFamily.recboleName(of: p.name))
            XCTAssertEqual(shapes[name], transposed ? Array(p.shape.reversed()) : p.shape, name)
        }
        XCTAssertNil(BERT4RecFamily.exportRefusal(built.configurationEntries))

        var old = shapes
        for key in shapes.keys where key.hasPrefix("output_") { old[key] = nil }
        XCTAssertThrowsError(try BERT4RecFamily.entries(config: nil, shapes: old, defaults: RecBoleDefaults())) {
            XCTAssertTrue("\($0)".contains("no output_ffn.weight"), "\($0)")
        }
    }

    /// The variant's checkpoint entries: "recbole" only for 1.2.1 (a 1.0.1 model's entries are what
    /// they were), read back into the same configuration; an unknown release is refused by name.
    func testCheckpointEntriesNameTheReleaseOnlyWhenItIs121() throws {
        let base = BERT4RecConfiguration(items: 12, hidden: 8, layers: 1, heads: 2, inner: 8, maxLength: 5, maskRatio: 0.4)
        var variant = base
        variant.recbole = .v1_2_1
        let old = BERT4RecRecommender(base, seed: Seed(2))
        let new = BERT4RecRecommender(variant, seed: Seed(2))
        XCTAssertEqual(old.configurationEntries.map(\.0),
                       ["model", "items", "hidden", "layers", "heads", "inner", "maxLength", "dropout", "attentionDropout", "maskRatio", "rows"])
        XCTAssertEqual(new.configurationEntries.map(\.0), old.configurationEntries.map(\.0) + ["recbole"])
        XCTAssertEqual(new.configurationEntries.last?.1, "1.2.1")
        XCTAssertTrue(old.architecture.hasPrefix("BERT4Rec (RecBole 1.0.1): "), old.architecture)
        XCTAssertNotNil(BERT4RecFamily.exportRefusal(old.configurationEntries))
        for model in [old, new] {
            let rebuilt = try XCTUnwrap(ModelCatalog.build(model.configurationEntries, name: "b", seed: Seed(2)) as? BERT4RecRecommender)
            XCTAssertEqual(rebuilt.network.configuration, model.network.configuration)
            XCTAssertEqual(weights(rebuilt), weights(model), "same seed, same initial weights")
        }
        XCTAssertThrowsError(try ModelCatalog.build(old.configurationEntries + [("recbole", "1.1.0")], name: "b", seed: Seed(2))) {
            XCTAssertEqual("\($0)", "the saved configuration has recbole '1.1.0'; SeqLab's BERT4Rec is RecBole \"1.0.1\" or \"1.2.1\"")
        }
    }

    /// The variant under the shared trainer on the toy world: its loss falls, a checkpoint restores
    /// it, its evaluation does not depend on the batch size, and its whole-window training rows fit
    /// its maxLength-row position table (the most recent maxLength items of inputs and target).
    func testVariantTrainsAndScoresAtItsOwnWidth() throws {
        let split = try SyntheticWorld.generate(.toy).domains[0].leaveOneOut(maxLength: 20)
        for rows in [RowKind.prefix, .sequence] {
            let model = BERT4RecRecommender(BERT4RecConfiguration(items: split.itemCount, hidden: 16, layers: 1, heads: 2, inner: 32,
                                                                  maxLength: 20, hiddenDropout: 0.1, attentionDropout: 0.1,
                                                                  recbole: .v1_2_1), seed: Seed(7), rows: rows)
            let trainer = Trainer(model: model, seed: Seed(1))
            var options = smallOptions(epochs: 3)
            options.patience = nil
            try trainer.fit(split, options: options)
            XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss, "\(rows) rows")
            let resumed = try roundTrip(trainer)
            XCTAssertEqual((resumed.model as? BERT4RecRecommender)?.network.configuration, model.network.configuration)
            XCTAssertEqual(weights(resumed.model), weights(model), "a checkpoint holds the head too")
            let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
            for size in [1, 64] {
                XCTAssertEqual(try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size).ranks, whole.ranks, "batch \(size)")
            }
        }

        var batcher = try Batcher(rows: split.test, batchSize: 4, width: 20)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        let small = BERT4RecRecommender(BERT4RecConfiguration(items: split.itemCount, hidden: 8, layers: 1, heads: 2, inner: 8,
                                                              maxLength: 5, maskRatio: 0.2, recbole: .v1_2_1), seed: Seed(1), rows: .sequence)
        let sequences = small.trainingSequences(batch)                     // [4, ≤ 5]
        XCTAssertLessThanOrEqual(sequences.shape[1], 5)
        for b in 0..<batch.count {
            let whole = Array(batch.items[(b * 20)..<(b * 20 + Int(batch.lengths[b]))]) + [batch.targets[b]]
            let row = Array(sequences.values[(b * sequences.shape[1])..<((b + 1) * sequences.shape[1])]).filter { $0 != 0 }
            XCTAssertEqual(row, Array(whole.suffix(5)), "row \(b): the most recent maxLength items")
        }

        // Histories of 0, 1 and 2 items: the mask after what is left once the oldest item is dropped.
        let network = small.network
        let inputs = network.predictionInputs(IndexTensor(shape: [3, 2], values: [0, 0, 4, 0, 4, 9]), lengths: [0, 1, 2],
                                              width: network.configuration.predictionWidth(longest: 2))
        let mask = network.maskToken
        XCTAssertEqual(inputs, IndexTensor(shape: [3, 2], values: [mask, 0, mask, 0, 9, mask]))
    }

    /// The variant adds the head (RecBole's `_init_weights`: dense N(0, initializer_range), biases 0,
    /// layer norm 1 / 0, output_bias zeros) without changing any value the two share: each parameter
    /// has its own stream, so the 1.2.1 position table is the first maxLength rows of 1.0.1's.
    func testVariantInitialisationLeavesSharedParametersAlone() throws {
        let base = BERT4RecConfiguration(items: 30, hidden: 16, layers: 2, heads: 2, inner: 32, maxLength: 7)
        var variant = base
        variant.recbole = .v1_2_1
        let old = BERT4Rec(base, seed: Seed(5)), new = BERT4Rec(variant, seed: Seed(5))
        XCTAssertEqual(old.parameters.count + 5, new.parameters.count)
        XCTAssertEqual(new.parameterCount, old.parameterCount - 16 + 16 * 16 + 16 + 16 + 16 + 30)
        for p in old.parameters {
            let q = try XCTUnwrap(new.parameter(named: p.name), p.name)
            let shared = min(p.count, q.count)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: q.pointer, count: shared)),
                           Array(UnsafeBufferPointer(start: p.pointer, count: shared)), p.name)
        }
        XCTAssertEqual(old.positionEmbedding.shape, [8, 16])
        XCTAssertEqual(new.positionEmbedding.shape, [7, 16])
        let head = try XCTUnwrap(new.outputHead)
        XCTAssertEqual(head.denseWeight.shape, [16, 16])
        let dense = Array(UnsafeBufferPointer(start: head.denseWeight.pointer, count: head.denseWeight.count))
        let rms = (dense.map { Double($0 * $0) }.reduce(0, +) / Double(dense.count)).squareRoot()
        XCTAssertEqual(rms, 0.02, accuracy: 0.005, "N(0, initializer_range)")
        for (t, value) in [(head.denseBias, Float(0)), (head.lnGamma, 1), (head.lnBeta, 0), (head.bias, 0)] {
            XCTAssertTrue(UnsafeBufferPointer(start: t.pointer, count: t.count).allSatisfy { $0 == value }, t.name)
        }
        XCTAssertEqual(head.bias.shape, [30])
        XCTAssertNil(old.outputHead)
    }
}
