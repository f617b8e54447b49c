// A real checkpoint of a tiny trained model, and ways to damage it: the safetensors header
// (length, JSON, entries) and the SeqLab metadata inside it. Cases store the damaged bytes as an
// artifact of an earlier run, then `restore` them in the session.

import Foundation
import Script
import Store
import Workbench

/// The checkpoint every damaged variant starts from.
enum BaseCheckpoint {
    /// Bytes of `save(m, "good")` for NextItNet (channels 8, dilations [1, 2]) after one epoch on the toy split.
    static let data: Data = {
        let store = NSTemporaryDirectory() + "seqlab-badinput-base-\(getpid()).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + s) } }
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        guard let session = try? RunSession(storePath: store, script: "", scriptPath: nil, interpreter: interpreter) else { return Data() }
        let run = Notebook.run(toyModelSetup + "m.fit(s, epochs: 1, batch: 64);\nsave(m, \"good\")\n", interpreter: interpreter)
        session.finish(.finished, interpreter: interpreter)
        guard run.errors.isEmpty, let artifact = try? session.store.loadArtifact(run: nil, name: "good") else { return Data() }
        return artifact.data
    }()

    /// The header as a JSON object and the data section.
    static func parts(_ data: Data = data) -> (header: [String: Any], body: Data) {
        let bytes = [UInt8](data)
        var length = 0
        for k in 0..<8 { length |= Int(bytes[k]) << (8 * k) }
        let json = Data(bytes[8..<(8 + length)])
        let header = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
        return (header, Data(bytes[(8 + length)...]))
    }

    /// A file from a header and data section (the header length is computed).
    static func assemble(header: Any, body: Data) -> Data {
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data()
        return rawHeader(json, body: body)
    }

    /// A file whose header bytes are given as they are (they need not be JSON).
    static func rawHeader(_ json: Data, body: Data) -> Data {
        var out = Data()
        var length = UInt64(json.count)
        for _ in 0..<8 { out.append(UInt8(length & 0xFF)); length >>= 8 }
        return out + json + body
    }

    /// The checkpoint with one header entry changed.
    static func editingEntry(_ name: String, _ edit: (inout [String: Any]) -> Void) -> Data {
        var (header, body) = parts()
        var entry = header[name] as? [String: Any] ?? [:]
        edit(&entry)
        header[name] = entry
        return assemble(header: header, body: body)
    }

    /// The checkpoint with one metadata value changed (nil removes it).
    static func editingMetadata(_ key: String, _ value: String?) -> Data {
        var (header, body) = parts()
        var meta = header["__metadata__"] as? [String: String] ?? [:]
        meta[key] = value
        header["__metadata__"] = meta
        return assemble(header: header, body: body)
    }

    /// The checkpoint with one configuration entry (`key=value` in the `config` metadata) changed.
    static func editingConfiguration(_ key: String, _ value: String?) -> Data {
        let meta = parts().header["__metadata__"] as? [String: String] ?? [:]
        var lines = (meta["config"] ?? "").split(separator: "\n").map(String.init).filter { !$0.hasPrefix(key + "=") }
        if let value { lines.append(key + "=" + value) }
        return editingMetadata("config", lines.joined(separator: "\n"))
    }

    /// The checkpoint with the float32 at `index` of tensor `name` replaced by `value`.
    static func poisoning(_ name: String, index: Int, with value: Float) -> Data {
        let (header, body) = parts()
        let offsets = (header[name] as? [String: Any])?["data_offsets"] as? [Int] ?? [0, 0]
        var bytes = [UInt8](body)
        let bits = value.bitPattern
        for k in 0..<4 { bytes[offsets[0] + 4 * index + k] = UInt8(bits >> (8 * UInt32(k)) & 0xFF) }
        return assemble(header: header, body: Data(bytes))
    }

    /// Stores `data` as artifact `name` of kind `kind` in a finished run of the case's store, after
    /// the intact checkpoint as "good" (so a follow-up can restore it).
    static func store(_ data: Data, as name: String = "bad", kind: String = "seqlab-checkpoint", in context: CaseContext) throws {
        let store = try RunStore.open(path: context.storePath)
        let run = try store.beginRun(RunInfo(script: "save", version: "test", seed: 1, threads: 1, blasThreads: 1, blas: "test"))
        _ = try store.saveArtifact(run, name: "good", kind: "seqlab-checkpoint", data: Self.data)
        _ = try store.saveArtifact(run, name: name, kind: kind, data: data)
        try store.finishRun(run)
    }
}
