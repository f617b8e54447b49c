// SeqLab against RecBole 1.2.1 itself, from committed fixtures (no Python at test time):
//   (a) Fixtures/RecBole/SASRec-ml-100k-1epoch.pth is the checkpoint RecBole's trainer saved after
//       1 epoch of SASRec on ml-100k (Tests/ModelsTests/Golden/RecBole/run_recbole_sasrec.py);
//       imported, it ranks RecBole's test rows exactly as RecBole's evaluator did: every user's rank
//       of the positive equal, HR@10 / NDCG@10 / MRR@10 within 1e-6 of RecBole's printed values.
//   (b) Fixtures/RecBole/seqlab-sasrec-export.pth is what `export(m, ..., layout: "recbole")` wrote
//       for the SASRec that `exportScript` trains; RecBole loaded it with load_state_dict(strict=True)
//       and evaluated it (check_recbole_export.py → seqlab-sasrec-export.json). The test trains the
//       same model again, checks the export is byte for byte that file, and that SeqLab's own
//       evaluation under protocol "recbole" equals RecBole's numbers.
// Both need ../shared/data/ml-100k (the rows); without it they skip with the reason.

import Foundation
import Script
import TestSupport
import XCTest
@testable import Workbench

final class RecBoleInteropTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/RecBole")

    private var interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })

    private func run(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let result = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(result.errors.map(\.description), [], file: file, line: line)
        return result.outcomes.flatMap(\.output)
    }

    /// The evaluation result the script variable `name` holds.
    private func result(_ name: String) throws -> ResultObject {
        try XCTUnwrap(interpreter.variables.first { $0.name == name }.flatMap { v -> ResultObject? in
            if case .object(let o) = v.value { return o as? ResultObject }
            return nil
        })
    }

    /// HR, NDCG and MRR at 10 of the script's result `name`.
    private func metrics(_ name: String) throws -> [Double] {
        let r = try result(name).result
        return ["hr", "ndcg", "mrr"].compactMap { r.value($0, at: 10) }
    }

    private func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testRecBoleCheckpointRanksAsRecBoleDid() throws {
        let ml100k = try sharedPath("data/ml-100k")
        let expected = try json("SASRec-ml-100k-1epoch.json")
        let checkpoint = fixtures.appendingPathComponent("SASRec-ml-100k-1epoch.pth").path
        let out = run("""
            ml = load("\(ml100k)", format: "recbole", order: "recbole")
            split = ml.split("leave-one-out", maxLength: 50)
            m = importModel("\(checkpoint)", split)
            r = m.evaluate(split.test, k: [10], protocol: "recbole")
            """)
        XCTAssertTrue(out.contains { $0.hasPrefix("imported sasrec from RecBole SASRec checkpoint (epoch 0): SASRec (RecBole): 1682 items, hidden 64, 2 layers × 2 heads") }, "\(out)")
        let values = try metrics("r")
        let test = try XCTUnwrap(expected["test"] as? [String: Double])
        XCTAssertEqual(values.count, 3)
        for (value, key) in zip(values, ["hit@10", "ndcg@10", "mrr@10"]) {
            XCTAssertEqual(value, test[key]!, accuracy: 1e-6, key)
        }
        // Every user's rank, in RecBole's own user order.
        let users = try result("r").users, ranks = try result("r").result.ranks.map { Int($0) + 1 }   // 1 = first, as RecBole counts
        let recbole = try XCTUnwrap(expected["test_users"] as? [String: Any])
        let expectedRanks = Dictionary(uniqueKeysWithValues: zip(try XCTUnwrap(recbole["user_token"] as? [String]),
                                                                 try XCTUnwrap(recbole["rank"] as? [Int])))
        XCTAssertEqual(users.count, 943)
        let differing = zip(users, ranks).filter { expectedRanks[$0.0] != $0.1 }
        XCTAssertEqual(differing.count, 0, "users ranked differently: \(differing.prefix(10))")
    }

    /// The script whose model `seqlab-sasrec-export.pth` holds.
    private func exportScript(_ ml100k: String, _ path: String) -> String {
        """
        seed(7)
        ml = load("\(ml100k)", format: "recbole", order: "recbole")
        split = ml.split("leave-one-out", maxLength: 50, training: "sequence")
        m = sasrec(split, hidden: 32, layers: 1, heads: 2, inner: 64, dropout: 0.2)
        m.fit(split, epochs: 3, batch: 64, lr: 0.002)
        t = m.evaluate(split.test, k: [10], protocol: "recbole")
        v = m.evaluate(split.valid, k: [10], protocol: "recbole")
        export(m, "\(path)", layout: "recbole")
        """
    }

    func testSeqLabExportIsWhatRecBoleEvaluated() throws {
        let ml100k = try sharedPath("data/ml-100k")
        let directory = NSTemporaryDirectory() + "seqlab-recbole-export-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/seqlab-sasrec.pth"
        let out = run(exportScript(ml100k, path))
        XCTAssertEqual(out.last, "wrote \(path) (a RecBole state dict: 20 tensors, 64,064 parameters, 262.7 KB)")
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        let committed = try Data(contentsOf: fixtures.appendingPathComponent("seqlab-sasrec-export.pth"))
        XCTAssertEqual(written, committed, "the export differs from the file RecBole evaluated; regenerate both (Fixtures/RecBole/README.md)")
        let recbole = try json("seqlab-sasrec-export.json")
        let test = try XCTUnwrap(recbole["test"] as? [String: Double]), valid = try XCTUnwrap(recbole["valid"] as? [String: Double])
        let seqlab = try metrics("t") + metrics("v")
        XCTAssertEqual(seqlab.count, 6)
        let expected = [test["hit@10"]!, test["ndcg@10"]!, test["mrr@10"]!, valid["hit@10"]!, valid["ndcg@10"]!, valid["mrr@10"]!]
        for (a, b) in zip(seqlab, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testImportsWithoutTheDataItsShapesAndRefusals() throws {
        let checkpoint = fixtures.appendingPathComponent("SASRec-ml-100k-1epoch.pth").path
        // A dataset of the wrong size is refused with what to do.
        let wrong = Notebook.run("d = synthetic(\"toy\")\nm = importModel(\"\(checkpoint)\", d)\n", interpreter: interpreter)
        XCTAssertEqual(wrong.errors.count, 1)
        XCTAssertTrue(wrong.errors.first?.description.contains("ranks 1682 items but synthetic-") ?? false, "\(wrong.errors)")
        XCTAssertTrue(wrong.errors.first?.description.contains("give the dataset RecBole trained on") ?? false)
        // A bare state dict needs model:; a model SeqLab does not import is refused, and a state dict
        // of another model than model: says is refused by the tensors it lacks.
        let bare = Notebook.run("m = importModel(\"\(fixtures.path)/seqlab-sasrec-export.pth\", d)\n", interpreter: interpreter)
        XCTAssertTrue(bare.errors.first?.description.contains("does not say which model it holds; give model:") ?? false, "\(bare.errors)")
        let other = Notebook.run("m = importModel(\"\(fixtures.path)/seqlab-sasrec-export.pth\", d, model: \"caser\")\n", interpreter: interpreter)
        XCTAssertTrue(other.errors.first?.description.contains("SeqLab imports \"sasrec\", \"gru4rec\", \"nextitnet\", \"bert4rec\", \"unisrec\", not \"caser\"") ?? false, "\(other.errors)")
        let conv = Notebook.run("m = importModel(\"\(fixtures.path)/seqlab-sasrec-export.pth\", d, model: \"nextitnet\")\n", interpreter: interpreter)
        XCTAssertTrue(conv.errors.first?.description.contains("a bare RecBole NextItNet state dict does not hold its dilations") ?? false, "\(conv.errors)")
        let gru = Notebook.run("m = importModel(\"\(fixtures.path)/seqlab-sasrec-export.pth\", d, model: \"gru4rec\")\n", interpreter: interpreter)
        XCTAssertTrue(gru.errors.first?.description.contains("no 2-D gru_layers.weight_hh_l0") ?? false, "\(gru.errors)")
    }

    /// The authors' UniSRec checkpoint (Tests/ModelsTests/Golden/UniSRecUpstream/unisrec-pretrained.pth)
    /// imported onto a pre-split catalogue whose .feat1CLS holds 6-d text vectors: the adaptor and
    /// encoder come from the file, the items from the catalogue's own vectors (UniSRecImportTests
    /// checks the scores against the authors' code).
    func testImportsTheAuthorsUniSRecOntoACatalogueOfTextVectors() throws {
        let golden = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelsTests/Golden/UniSRecUpstream")
        let mini = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DatasetsTests/Fixtures/presplit/Mini")
        let dir = NSTemporaryDirectory() + "seqlab-unisrec-import-\(getpid())/Mini"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        for name in try FileManager.default.contentsOfDirectory(atPath: mini.path) where name != "Mini.feat1CLS" {
            try FileManager.default.copyItem(atPath: mini.path + "/" + name, toPath: dir + "/" + name)
        }
        var values: [Float] = []
        for row in 0..<6 { for d in 0..<6 { values.append(Float((row + 1) * (d % 3 == 0 ? 1 : -1)) * 0.25 + Float(d) * 0.125) } }
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: dir + "/Mini.feat1CLS"))
        let pth = golden.appendingPathComponent("unisrec-pretrained.pth").path
        let out = run("""
            b = load("\(dir)", format: "presplit")
            s = b.split("leave-one-out", maxLength: 6)
            m = importModel("\(pth)", s)
            r = m.evaluate(s.test, k: [5])
            """)
        XCTAssertTrue(out.contains { $0.hasPrefix("imported unisrec from the authors' UniSRec checkpoint (stage pretrain, epoch 300): UniSRec") }, "\(out)")
        XCTAssertEqual(try result("r").result.ranks.count, 2)
        // Without text vectors the data cannot be scored, and says what to give.
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let plain = Notebook.run("w = synthetic(\"toy\")\nm = importModel(\"\(pth)\", w)\n", interpreter: interpreter)
        XCTAssertTrue(plain.errors.first?.description.contains("has no item features; UniSRec reads the text vectors it was trained with") ?? false,
                      "\(plain.errors)")
    }
}
