// References to runs and checkpoints that are not there, save and export misuse, and checkpoints
// whose safetensors bytes or SeqLab metadata are damaged. A damaged checkpoint must be refused with
// one error naming the checkpoint and what is wrong; the store stays usable, so the intact
// checkpoint saved beside it still restores afterwards.

import Foundation

private func run(_ name: String, setup: String = toySetup, _ source: String, _ expected: String) -> BadInput {
    BadInput("runs", name, setup: setup, source, expect: expected)
}

/// A case restoring `data` stored as checkpoint "bad"; the intact "good" restores afterwards.
private func damaged(_ name: String, _ data: @escaping @Sendable () -> Data, _ expected: String, kind: String = "seqlab-checkpoint",
                     whole: Bool = false) -> BadInput {
    BadInput("safetensors", name, setup: toySetup, "restore(\"bad\", s)", expect: whole ? expected : "1:9: checkpoint 'bad' (run 1)" + expected,
             after: "len(restore(\"good\", s).history)", afterOutput: ["1"],
             prepare: { context in try BaseCheckpoint.store(data(), kind: kind, in: context) })
}
private let noStore: @Sendable (CaseContext) throws -> Void = { _ in }

let runAndCheckpointCases: [BadInput] = [
    run("missing run", "run(99)", "1:5: $DIR/runs.sqlite: no run 99; `seqlab runs` lists them"),
    run("run zero", "run(0)", "1:5: argument 'id' to run must be at least 1, got 0"),
    run("compare with a missing run", "compare(1, 99)", "1:12: $DIR/runs.sqlite: no run 99; `seqlab runs` lists them"),
    run("compare one run", "compare(1)", "1:1: compare runs: compare(a, b) with two run ids, or compare([a, b, c])"),
    run("zero runs listed", "runs(limit: 0)", "1:6: argument 'limit' to runs must be at least 1, got 0"),
    run("metric at a negative step", "metric(\"loss\", 0.5, step: -1)", "1:21: argument 'step' to metric must be at least 0, got -1"),
    run("missing checkpoint", "restore(\"nope\", s)", "1:9: $DIR/runs.sqlite: no artifact named \"nope\"; `seqlab show RUN` lists a run's artifacts"),
    run("checkpoint in a missing run", "restore(\"nope\", s, run: 99)", "1:9: $DIR/runs.sqlite: no run 99; `seqlab runs` lists them"),
    run("checkpoint of another dataset", setup: toyModelSetup + "save(m, \"mine\");\nb = synthetic(\"small\", seed: 1);\n",
        "restore(\"mine\", b)", "1:17: 'mine' ranks 200 items but synthetic-movies has 1000; give the dataset it was trained on"),
    run("save a baseline", setup: toySetup + "p = popularity(s);\n", "save(p, \"pop\")", "1:6: popularity is a baseline; only neural models are saved"),
    run("restore a text model for another dataset",
        setup: toySetup + "q = vqrec(s, encoder: \"tfidf\", width: 8, hidden: 8, inner: 16, codes: 2, centroids: 4);\nsave(q, \"q\");\nb = synthetic(\"small\", seed: 1);\n",
        "restore(\"q\", b)", "1:14: 'q' ranks 200 items but synthetic-movies has 1000; give the dataset it was trained on"),
    run("restore a Conure learner for another dataset",
        setup: toySetup + "c = conure(w, channels: 8, dilations: [1]);\nc.learn(s, epochs: 1, retrain: 0, batch: 64);\nsave(c, \"c\");\nb = synthetic(\"small\", seed: 1);\n",
        "restore(\"c\", b)", "1:14: 'c' was built for 200 items but synthetic-movies has 1000; give the dataset its task 1 was learned on"),
    run("save with an empty name", setup: toyModelSetup, "save(m, \"\")", "1:9: the name must not be empty"),
    run("save a dataset", "save(w, \"w\")", "1:6: argument 'model' to save expects Model or Conure, got Dataset"),
    run("export a baseline", setup: toySetup + "p = popularity(s);\n", "export(p, \"p.safetensors\")", "1:8: popularity is a baseline and has no weights"),
    run("export without the extension", setup: toyModelSetup, "export(m, \"m.bin\")", "1:11: the file name should end in .safetensors or .pth (a PyTorch state dict)"),
    run("export into a missing directory", setup: toyModelSetup, "export(m, \"/nonexistent-dir/m.safetensors\")",
        "1:11: /nonexistent-dir/m.safetensors: the directory '/nonexistent-dir' does not exist; create it first or choose another path"),
    damaged("artifact of another kind", { BaseCheckpoint.data }, "1:9: 'bad' in run 1 is a text-vectors, not a model checkpoint",
            kind: "text-vectors", whole: true),
]

let safetensorsCases: [BadInput] = [
    // The container.
    damaged("empty", { Data() }, ": error: file is 0 bytes; a safetensors file starts with an 8-byte header length"),
    damaged("five bytes", { Data([1, 2, 3, 4, 5]) }, ": error: file is 5 bytes; a safetensors file starts with an 8-byte header length"),
    damaged("truncated in the header", { BaseCheckpoint.data.prefix(100) }, ": error: header length"),
    damaged("truncated in the data", { BaseCheckpoint.data.dropLast(64) }, ": error: entry"),
    damaged("header length beyond the file", { Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) + BaseCheckpoint.data.dropFirst(8) },
            ": error: header length 4294967295 exceeds"),
    damaged("header not JSON", { BaseCheckpoint.rawHeader(Data("not json at all".utf8), body: Data()) },
            ": error: the header is not a JSON object: file is corrupted or not safetensors"),
    damaged("header a JSON array", { BaseCheckpoint.rawHeader(Data("[1, 2, 3]".utf8), body: Data()) },
            ": error: the header is not a JSON object"),
    damaged("header of random bytes", { BaseCheckpoint.rawHeader(Data((0..<64).map { UInt8(($0 * 37 + 11) % 256) }), body: Data()) },
            ": error: the header is not a JSON object"),
    damaged("metadata not an object", { var (h, b) = BaseCheckpoint.parts(); h["__metadata__"] = [1, 2]; return BaseCheckpoint.assemble(header: h, body: b) },
            ": error: __metadata__ must be an object of strings"),
    damaged("metadata value not a string", { var (h, b) = BaseCheckpoint.parts(); h["__metadata__"] = ["seed": 3]; return BaseCheckpoint.assemble(header: h, body: b) },
            ": error: __metadata__ value for 'seed' is not a string"),
    damaged("entry not an object", { var (h, b) = BaseCheckpoint.parts(); h["param.embedding"] = "F32"; return BaseCheckpoint.assemble(header: h, body: b) },
            ": error: entry 'param.embedding' is not an object"),
    damaged("entry without dtype", { BaseCheckpoint.editingEntry("param.embedding") { $0["dtype"] = nil } },
            ": error: entry 'param.embedding' has no dtype"),
    damaged("unknown dtype", { BaseCheckpoint.editingEntry("param.embedding") { $0["dtype"] = "F7" } },
            ": error: entry 'param.embedding' has unsupported dtype F7"),
    damaged("negative shape", { BaseCheckpoint.editingEntry("param.embedding") { $0["shape"] = [-1, 8] } },
            ": error: entry 'param.embedding' has an invalid shape"),
    damaged("shape of strings", { BaseCheckpoint.editingEntry("param.embedding") { $0["shape"] = ["a"] } },
            ": error: entry 'param.embedding' has an invalid shape"),
    damaged("offsets beyond the data", { BaseCheckpoint.editingEntry("param.embedding") { $0["data_offsets"] = [0, 1 << 40] } },
            ": error: entry 'param.embedding' has data offsets outside the"),
    damaged("offsets reversed", { BaseCheckpoint.editingEntry("param.embedding") { $0["data_offsets"] = [64, 0] } },
            ": error: entry 'param.embedding' has data offsets outside the"),
    damaged("shape and offsets disagree", { BaseCheckpoint.editingEntry("param.embedding") { $0["shape"] = [121, 9] } },
            ": error: entry 'param.embedding' holds"),
    damaged("entries overlap", { BaseCheckpoint.editingEntry("rng.loss") { e in
        let (h, _) = BaseCheckpoint.parts()
        let other = (h["rng.shuffle"] as? [String: Any])?["data_offsets"] as? [Int] ?? [0, 32]
        e["data_offsets"] = other
    } }, ": error: entries"),

    // The SeqLab checkpoint inside.
    damaged("plain weights", { BaseCheckpoint.editingMetadata("seqlab.checkpoint", nil) },
            " is not a SeqLab checkpoint (no seqlab.checkpoint metadata); weights exported from elsewhere cannot be restored as a model"),
    damaged("newer format", { BaseCheckpoint.editingMetadata("seqlab.checkpoint", "99") },
            " is checkpoint format 99; this SeqLab reads format 1"),
    damaged("no configuration", { BaseCheckpoint.editingMetadata("config", nil) }, ": the checkpoint has no 'config' entry; the file is damaged"),
    damaged("configuration line without =", { BaseCheckpoint.editingMetadata("config", "model nextitnet") }, ": bad configuration line 'model nextitnet'"),
    damaged("unknown model kind", { BaseCheckpoint.editingConfiguration("model", "transformer-xl") },
            ": the checkpoint holds a model of kind 'transformer-xl', which this SeqLab cannot build"),
    damaged("channels not a number", { BaseCheckpoint.editingConfiguration("channels", "eight") },
            ": the saved configuration has no integer 'channels'"),
    damaged("zero channels", { BaseCheckpoint.editingConfiguration("channels", "0") }, ": the saved configuration is out of range: items 201, channels 0, kernel 3, dilations [1, 2]"),
    damaged("huge channels", { BaseCheckpoint.editingConfiguration("channels", "100000000") }, ": the saved configuration is out of range"),
    damaged("no dilations", { BaseCheckpoint.editingConfiguration("dilations", nil) }, ": the saved configuration is out of range"),
    damaged("channels disagree with the weights", { BaseCheckpoint.editingConfiguration("channels", "9") },
            ": param.embedding has shape [201, 8] but the model needs [201, 9]; the checkpoint does not match its configuration"),
    damaged("seed not a number", { BaseCheckpoint.editingMetadata("seed", "-") }, ": cannot read the seed from '-'; the file is damaged"),
    damaged("no name", { BaseCheckpoint.editingMetadata("name", nil) }, ": the checkpoint has no 'name' entry; the file is damaged"),
    damaged("weights missing", { var (h, b) = BaseCheckpoint.parts(); h["param.embedding"] = nil; return BaseCheckpoint.assemble(header: h, body: b) },
            ": error: no tensor named 'param.embedding'"),
    damaged("weights as integers", { BaseCheckpoint.editingEntry("param.embedding") { $0["dtype"] = "I32" } },
            ": error: tensor 'param.embedding' is I32, not floating point"),
    damaged("NaN in the weights", { BaseCheckpoint.poisoning("param.embedding", index: 17, with: .nan) },
            ": param.embedding holds nan at element 17; the checkpoint is damaged"),
    damaged("infinity in the weights", { BaseCheckpoint.poisoning("param.embedding", index: 3, with: -.infinity) },
            ": param.embedding holds -inf at element 3; the checkpoint is damaged"),
    damaged("bad history line", { BaseCheckpoint.editingMetadata("history", "1 0.5") }, ": bad history line '1 0.5'"),
    damaged("history loss not a number", { BaseCheckpoint.editingMetadata("history", "1 lots - 1 2 3 1") }, ": cannot read a loss from 'lots'"),
    damaged("bad best entry", { BaseCheckpoint.editingMetadata("best", "1") }, ": bad best entry '1'"),
    damaged("unknown optimizer", { BaseCheckpoint.editingMetadata("optimizer", "adagrad") }, ": unknown optimizer 'adagrad'"),
    damaged("learning rate not a number", { BaseCheckpoint.editingMetadata("learningRate", "fast") }, ": cannot read learningRate from 'fast'"),
    damaged("NaN learning rate", { BaseCheckpoint.editingMetadata("learningRate", "nan") }, ": learningRate nan is out of range; the file is damaged"),
    damaged("negative weight decay", { BaseCheckpoint.editingMetadata("weightDecay", "-1") }, ": weightDecay -1.0 is out of range; the file is damaged"),
    damaged("no optimizer step count", { var (h, b) = BaseCheckpoint.parts(); h["optim.stepCount"] = nil; return BaseCheckpoint.assemble(header: h, body: b) },
            ": error: no tensor named 'optim.stepCount'"),
    damaged("empty optimizer step count", { BaseCheckpoint.editingEntry("optim.stepCount") { $0["shape"] = [0]; $0["data_offsets"] = [0, 0] } },
            ": optim.stepCount should hold 1 value, found 0"),
    damaged("random stream of the wrong size", { BaseCheckpoint.editingEntry("rng.loss") { e in
        let o = e["data_offsets"] as? [Int] ?? [0, 32]
        e["shape"] = [2]; e["data_offsets"] = [o[0], o[0] + 16]
    } }, ": rng.loss should hold 4 state words, found 2"),
    damaged("empty data position", { BaseCheckpoint.editingEntry("data.position") { $0["shape"] = [0]; $0["data_offsets"] = [0, 0] } },
            ": data.position should hold 1 value, found 0"),
    damaged("data position past the end", { BaseCheckpoint.poisoningInt64("data.position", 1_000_000) },
            ": data.position 1000000 is outside the data order of"),
    damaged("data order with foreign rows", { BaseCheckpoint.poisoningInt32("data.order", index: 0, 99_999) },
            ": data.order holds row 99999, outside the"),
    damaged("batch size not a number", { BaseCheckpoint.editingMetadata("data.batchSize", "many") }, ": cannot read the batch size from 'many'"),
    damaged("zero batch size", { BaseCheckpoint.editingMetadata("data.batchSize", "0") }, ": data.batchSize 0 is out of range; the file is damaged"),
    damaged("bad partial-epoch entry", { BaseCheckpoint.editingMetadata("partial", "0") }, ": bad partial-epoch entry"),
]

extension BaseCheckpoint {
    /// The checkpoint with the first int64 of tensor `name` replaced.
    static func poisoningInt64(_ name: String, _ value: Int64) -> Data {
        let (header, body) = parts()
        let offsets = (header[name] as? [String: Any])?["data_offsets"] as? [Int] ?? [0, 0]
        var bytes = [UInt8](body)
        for k in 0..<8 { bytes[offsets[0] + k] = UInt8(UInt64(bitPattern: value) >> (8 * UInt64(k)) & 0xFF) }
        return assemble(header: header, body: Data(bytes))
    }

    /// The checkpoint with int32 `index` of tensor `name` replaced.
    static func poisoningInt32(_ name: String, index: Int, _ value: Int32) -> Data {
        let (header, body) = parts()
        let offsets = (header[name] as? [String: Any])?["data_offsets"] as? [Int] ?? [0, 0]
        var bytes = [UInt8](body)
        for k in 0..<4 { bytes[offsets[0] + 4 * index + k] = UInt8(UInt32(bitPattern: value) >> (8 * UInt32(k)) & 0xFF) }
        return assemble(header: header, body: Data(bytes))
    }
}
