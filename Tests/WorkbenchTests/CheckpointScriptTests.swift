// save / restore / export through the language, with a real run store: a restored model continues
// training exactly, and exported weights read back as safetensors.

import Foundation
import Script
import Store
import Tensors
import XCTest
@testable import Workbench

final class CheckpointScriptTests: XCTestCase {
    var lastRun: Int64 = 0

    func run(_ source: String, store: String) throws -> [String] {
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let session = try RunSession(storePath: store, script: source, scriptPath: nil, interpreter: interpreter)
        let result = Notebook.run(source, interpreter: interpreter)
        session.finish(.finished, interpreter: interpreter)
        lastRun = session.runID
        XCTAssertEqual(result.errors.map(\.description), [])
        return result.outcomes.flatMap(\.output)
    }

    func testSaveRestoreContinuesExactlyAndExportWritesWeights() throws {
        let dir = NSTemporaryDirectory() + "seqlab-ckpt-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/runs.sqlite"
        let setup = """
        w = synthetic("toy", seed: 1);
        s = w.split(maxLength: 20);
        m = nextitnet(s, channels: 8, dilations: [1, 2], seed: 4);

        """
        // Two epochs, saved in one run; restored in another run and trained two more.
        let saved = try run(setup + "m.fit(s, epochs: 2, batch: 16, patience: none);\nsave(m, \"half\")\n", store: store)
        // A save says what it wrote and how to read it back.
        XCTAssertEqual(saved.last?.hasPrefix("saved nextitnet as \"half\" in the run store ("), true, "\(saved)")
        XCTAssertEqual(saved.last?.hasSuffix("; restore(\"half\", split) reads it back)"), true, "\(saved)")
        let resumed = try run("""
        w = synthetic("toy", seed: 1);
        s = w.split(maxLength: 20);
        r = restore("half", s);
        len(r.history)
        r.fit(s, epochs: 2, batch: 16, patience: none);
        print(r.evaluate(s.test, k: [10]).ndcg(10))
        export(r, "\(dir)/r.safetensors")
        """, store: store)
        let straight = try run(setup + "m.fit(s, epochs: 4, batch: 16, patience: none);\nprint(m.evaluate(s.test, k: [10]).ndcg(10))\n", store: store)
        // Every epoch's loss and validation value went to the store.
        let points = try RunStore.open(path: store).metrics(lastRun)
        XCTAssertEqual(points.filter { $0.name == "nextitnet.loss" }.map(\.step), [1, 2, 3, 4])
        XCTAssertEqual(points.filter { $0.name == "nextitnet.NDCG@10" }.compactMap(\.split), ["valid", "valid", "valid", "valid"])
        XCTAssertEqual(resumed.first, "2")
        XCTAssertEqual(resumed.dropLast().last, straight.last, "4 epochs straight and 2 + restore + 2 must agree exactly")
        XCTAssertEqual(resumed.last, "wrote \(dir)/r.safetensors (19 tensors, 4,281 parameters, 18.9 KB)")

        let file = try SafetensorsFile(contentsOf: dir + "/r.safetensors")
        XCTAssertEqual(file.metadata["config.model"], "nextitnet")
        XCTAssertEqual(try file.tensor("embedding").shape, [201, 8])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.r.safetensors.tmp"))

        // Restoring for the wrong dataset is refused with a reason.
        var errors: [String] = []
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let session = try RunSession(storePath: store, script: "", scriptPath: nil, interpreter: interpreter)
        let other = Notebook.run("b = synthetic(\"small\", seed: 1);\nrestore(\"half\", b)\n", interpreter: interpreter)
        session.finish(.finished, interpreter: interpreter)
        errors = other.errors.map(\.description)
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].contains("'half' ranks 200 items but synthetic-movies has 1000"), errors[0])
        let missing = Notebook.run("restore(\"nope\", b)\n", interpreter: interpreter)
        XCTAssertTrue(missing.errors.first?.description.contains("nope") ?? false, "\(missing.errors)")
    }
}
