// PyTorch checkpoints that `importModel` must refuse, each with one error at the file (or the
// argument at fault) naming what is wrong: the zip container (empty, not a zip, the legacy bare
// pickle, truncated, a failed CRC-32, a repacked archive), the pickle inside (unknown or protocol-0
// opcodes, truncated, a memo entry never stored), its tensors (a view past its storage, a storage
// missing, an entry that is no tensor), and the RecBole layout (no model:, an unknown family, a
// NextItNet without its sizes, a tensor missing, extra or misshapen, the wrong dataset, a config
// that is no Config).
// Every damaged file is made in `prepare` from the committed fixtures (the torch-written goldens of
// TensorsTests, the RecBole state dict SeqLab exported, RecBole's own trainer checkpoint) or written
// by TorchStateDictWriter / ZipWriter.

import Foundation
import Tensors

/// The repository's Tests folder.
private let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

/// The bytes of a committed fixture, by its path under Tests/.
private func fixture(_ path: String) throws -> Data { try Data(contentsOf: tests.appendingPathComponent(path)) }

/// A bare RecBole SASRec state dict SeqLab exported (1683 items, hidden 32, 1 layer, inner 64).
private func export() throws -> Data { try fixture("WorkbenchTests/Fixtures/RecBole/seqlab-sasrec-export.pth") }
/// RecBole 1.2.1's trainer checkpoint after one SASRec epoch on ml-100k (its config says the sizes).
private func trainerCheckpoint() throws -> Data { try fixture("WorkbenchTests/Fixtures/RecBole/SASRec-ml-100k-1epoch.pth") }
/// The state dict torch.save wrote of every dtype and view (TensorsTests' golden).
private func torchGolden() throws -> Data { try fixture("TensorsTests/Golden/torch-state-dict.pth") }

/// A small state dict: one float tensor of 4 elements.
private let tiny = TorchStateDictWriter.encode([("w", .float(Tensor(shape: [4], scalars: [1, 2, 3, 4], name: "w")))])

/// The members of a zip archive, CRC-checked, in order.
private func members(_ data: Data) throws -> [(name: String, data: Data)] {
    let zip = try ZipArchive(data: data, path: "fixture")
    return try zip.entries.map { ($0.name, try zip.contents($0)) }
}

/// The tensors of the exported state dict, in its order, as TorchStateDictWriter takes them.
private func exportTensors() throws -> [(name: String, value: SafetensorsValue)] {
    let c = try TorchCheckpoint(data: try export(), path: "export")
    return try c.stateDict(c.pickle.root).map { entry -> (name: String, value: SafetensorsValue) in
        (entry.name, .float(try c.floatTensor(entry.tensor, name: entry.name)))
    }
}

/// The exported state dict with `edit` applied to its tensor list.
private func editedExport(_ edit: (inout [(name: String, value: SafetensorsValue)]) -> Void) throws -> Data {
    var tensors = try exportTensors()
    edit(&tensors)
    return TorchStateDictWriter.encode(tensors)
}

/// `data` with byte `offset` of the data of the member ending in `suffix` inverted (its recorded CRC-32 kept).
private func flipping(_ data: Data, member suffix: String, at offset: Int) throws -> Data {
    let zip = try ZipArchive(data: data, path: "fixture")
    guard let entry = zip.entries.first(where: { $0.name.hasSuffix(suffix) }) else { throw CaseSetupError("no member *\(suffix)") }
    var out = data
    out[out.startIndex + entry.dataOffset + offset] ^= 0xFF
    return out
}

/// `data` with the central-directory method of the member ending in `suffix` set to 8 (deflate), as a
/// repacking tool leaves it.
private func markingDeflated(_ data: Data, member suffix: String) throws -> Data {
    let bytes = [UInt8](data)
    func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
    func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
    let eocd = bytes.count - 22
    guard u32(eocd) == 0x0605_4B50 else { throw CaseSetupError("the fixture has a zip comment or zip64 records") }
    var p = u32(eocd + 16)
    var out = data
    for _ in 0..<u16(eocd + 10) {
        let nameLength = u16(p + 28)
        let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
        if name.hasSuffix(suffix) {
            out[p + 10] = 8
            return out
        }
        p += 46 + nameLength + u16(p + 30) + u16(p + 32)
    }
    throw CaseSetupError("no member *\(suffix)")
}

/// An archive like `torch.save`'s holding `pickle` as data.pkl and these storages (data/<key>).
private func archive(pickle: [UInt8], storages: [(key: String, data: Data)] = [("0", floats([1, 2, 3, 4]))]) -> Data {
    ZipWriter.archive([("archive/data.pkl", Data(pickle)), ("archive/byteorder", Data("little".utf8))]
                      + storages.map { ("archive/data/\($0.key)", $0.data) } + [("archive/version", Data("3\n".utf8))])
}

/// Little-endian float32 bytes.
private func floats(_ values: [Float]) -> Data {
    var out = Data()
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
    return out
}

/// The pickle of `tiny` (protocol 2, an OrderedDict of one tensor).
private func tinyPickle() throws -> [UInt8] {
    [UInt8](try members(tiny).first { $0.name.hasSuffix("data.pkl") }!.data)
}

/// A case's setup could not be built (a fixture changed shape).
private struct CaseSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Pickle opcodes enough to write checkpoints by hand (protocol 2, as torch.save writes them).
private struct PickleBytes {
    var bytes: [UInt8] = [0x80, 2]

    mutating func raw(_ b: UInt8...) { bytes += b }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes.append(0x58)
        withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes += $0 }
        bytes += utf8
    }
    mutating func int(_ n: Int32) {
        bytes.append(0x4A)
        withUnsafeBytes(of: n.littleEndian) { bytes += $0 }
    }
    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }
    mutating func ints(_ values: [Int]) {
        raw(0x28)
        for v in values { int(Int32(v)) }
        raw(0x74)
    }
    /// `torch._utils._rebuild_tensor_v2(('storage', torch.<storageClass>, key, 'cpu', numel), offset, shape, strides, False, OrderedDict())`.
    mutating func tensor(key: String = "0", storageClass: String = "FloatStorage", numel: Int, offset: Int = 0, shape: [Int], strides: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        raw(0x28, 0x28)
        string("storage"); global("torch", storageClass); string(key); string("cpu"); int(Int32(numel))
        raw(0x74, 0x51)
        int(Int32(offset)); ints(shape); ints(strides)
        raw(0x89)
        global("collections", "OrderedDict"); raw(0x29, 0x52)
        raw(0x74, 0x52)
    }
    mutating func double(_ x: Double) {
        bytes.append(0x47)
        withUnsafeBytes(of: x.bitPattern.bigEndian) { bytes += $0 }
    }
    /// `recbole.config.configurator.Config` restored with `__dict__ = {'final_config_dict': {...}}`.
    mutating func config(_ values: [(String, String)], numbers: [(String, Double)] = []) {
        global("recbole.config.configurator", "Config"); raw(0x29, 0x81)
        raw(0x7D, 0x28); string("final_config_dict")
        raw(0x7D, 0x28)
        for (k, v) in values { string(k); string(v) }
        for (k, v) in numbers {
            string(k)
            if v == v.rounded() && abs(v) < 1e9 { int(Int32(v)) } else { double(v) }
        }
        raw(0x75, 0x75, 0x62)
    }
    mutating func stop() { raw(0x2E) }
}

/// `{'config': <config>, 'epoch': 0, 'state_dict': <the state dict in stateDict>}` as RecBole's trainer
/// saves it, over the storages of `stateDict` (an archive TorchStateDictWriter wrote).
private func trainerDict(config: (inout PickleBytes) -> Void, stateDict: Data) throws -> Data {
    let parts = try members(stateDict)
    let inner = [UInt8](parts.first { $0.name.hasSuffix("data.pkl") }!.data)
    var p = PickleBytes()
    p.raw(0x7D, 0x28)
    p.string("config"); config(&p)
    p.string("epoch"); p.int(0)
    p.string("state_dict"); p.bytes += inner[2..<(inner.count - 1)]   // its body, without PROTO and STOP
    p.raw(0x75); p.stop()
    return ZipWriter.archive(parts.map { $0.name.hasSuffix("data.pkl") ? ($0.name, Data(p.bytes)) : $0 })
}

/// `{'state_dict': <the state dict of stateDict>}`, a checkpoint without RecBole's config.
private func stateDictOnly(_ stateDict: Data) throws -> Data {
    let parts = try members(stateDict)
    let inner = [UInt8](parts.first { $0.name.hasSuffix("data.pkl") }!.data)
    var p = PickleBytes()
    p.raw(0x7D, 0x28); p.string("state_dict"); p.bytes += inner[2..<(inner.count - 1)]; p.raw(0x75); p.stop()
    return ZipWriter.archive(parts.map { $0.name.hasSuffix("data.pkl") ? ($0.name, Data(p.bytes)) : $0 })
}

/// A RecBole NextItNet's state dict in miniature (200 items + padding, embedding 8, one block).
private let nextItNetLike: Data = {
    func t(_ shape: [Int]) -> SafetensorsValue { .float(Tensor(shape: shape, scalars: [Float](repeating: 0.01, count: shape.reduce(1, *)))) }
    return TorchStateDictWriter.encode([
        ("item_embedding.weight", t([201, 8])),
        ("residual_blocks.0.conv1.weight", t([8, 8, 1, 3])), ("residual_blocks.0.conv1.bias", t([8])),
        ("residual_blocks.0.ln1.weight", t([8])), ("residual_blocks.0.ln1.bias", t([8])),
        ("residual_blocks.0.conv2.weight", t([8, 8, 1, 3])), ("residual_blocks.0.conv2.bias", t([8])),
        ("residual_blocks.0.ln2.weight", t([8])), ("residual_blocks.0.ln2.bias", t([8])),
        ("final_layer.weight", t([201, 8])), ("final_layer.bias", t([201])),
    ])
}()

/// The toy split `s` and the file name `f`.
private let pthSetup = toySetup + "f = \"$DIR/m.pth\";\n"

/// A case importing `$DIR/m.pth` (the bytes `make` returns) into the toy split with `arguments`.
private func pth(_ name: String, _ arguments: String = ", model: \"sasrec\"", category: String = "data/pytorch", expect expected: String,
                 _ make: @escaping @Sendable () throws -> Data) -> BadInput {
    BadInput(category, name, setup: pthSetup, "importModel(f, s\(arguments))",
             expect: expected.hasPrefix("1:") ? expected : "1:13: $DIR/m.pth: " + expected,
             prepare: { context in try make().write(to: URL(fileURLWithPath: context.directory + "/m.pth")) })
}

/// A case whose file's data.pkl is `pickle` (after PROTO 2), over one 4-float storage '0'.
private func pickled(_ name: String, _ arguments: String = ", model: \"sasrec\"", expect expected: String,
                     _ write: @escaping @Sendable (inout PickleBytes) -> Void) -> BadInput {
    pth(name, arguments, expect: expected) {
        var p = PickleBytes()
        write(&p)
        return archive(pickle: p.bytes)
    }
}

let torchCheckpointCases: [BadInput] = [
    // The file and its zip container.
    BadInput("data/pytorch", "missing file", setup: toySetup, "importModel(\"$DIR/none.pth\", s)",
             expect: "1:13: $DIR/none.pth: no such file"),
    BadInput("data/pytorch", "a directory", files: [("d.pth/x", text("x"))], setup: toySetup, "importModel(\"$DIR/d.pth\", s)",
             expect: "1:13: $DIR/d.pth: is a directory; expected a .pth file (the zip archive torch.save writes)"),
    pth("empty file", expect: "the file is 0 bytes, too short for a zip archive; torch.save files are zip archives (PyTorch 1.6 or later)") { Data() },
    pth("text, not a zip", expect: "no zip directory found: the file is truncated or not a torch.save checkpoint") {
        Data(String(repeating: "not a checkpoint at all\n", count: 8).utf8)
    },
    pth("legacy bare pickle",
        expect: "this is a bare pickle (the legacy format of PyTorch before 1.6); load it in PyTorch and save it again with torch.save") {
        // torch.save before 1.6 (or with _use_new_zipfile_serialization=False): pickles of the magic
        // number and the protocol version, then of the object.
        var magic = PickleBytes()
        magic.raw(0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E)
        var version = PickleBytes()
        version.raw(0x4D, 0xE9, 0x03, 0x2E)
        return Data(magic.bytes + version.bytes + (try tinyPickle()))
    },
    pth("truncated in the middle", "", expect: "no zip directory found: the file is truncated or not a torch.save checkpoint") {
        let d = try trainerCheckpoint()
        return d.prefix(d.count / 2)
    },
    pth("cut before the end record", "", expect: "no zip directory found: the file is truncated or not a torch.save checkpoint") {
        try trainerCheckpoint().dropLast(22)
    },
    pth("start cut off", expect: "the zip directory (offset 261314, 1396 bytes) lies outside the 262668-byte file: the file is truncated") {
        Data(try export().dropFirst(64))
    },
    pth("flipped byte in a storage",
        expect: "member 'archive/data/0' fails its CRC-32 check (recorded 0xF1FE2A80, found 0xBC22FC9E): the file is damaged") {
        try flipping(try export(), member: "/data/0", at: 100)
    },
    pth("flipped byte in data.pkl",
        expect: "member 'archive/data.pkl' fails its CRC-32 check (recorded 0x1FADC81C, found 0x156DF6C0): the file is damaged") {
        try flipping(try export(), member: "/data.pkl", at: 40)
    },
    pth("deflated member", expect: "member 'archive/data.pkl' is compressed (zip method 8); torch.save stores members uncompressed, "
        + "so this archive was repacked: load it in PyTorch and save it again") {
        try markingDeflated(try export(), member: "/data.pkl")
    },
    pth("no data.pkl", expect: "the archive has no <folder>/data.pkl, so it is not a torch.save checkpoint") {
        ZipWriter.archive(try members(try export()).filter { !$0.name.hasSuffix("data.pkl") })
    },
    pth("storage member missing", expect: "the archive has no member 'archive/data/3' for storage '3'") {
        ZipWriter.archive(try members(try export()).filter { !$0.name.hasSuffix("/data/3") })
    },
    pth("storage shorter than its tensor",
        expect: "storage '0' holds 4096 bytes but its 53856 Float elements need 215424: the file is truncated or damaged") {
        ZipWriter.archive(try members(try export()).map { $0.name.hasSuffix("/data/0") ? ($0.name, $0.data.prefix(4096)) : $0 })
    },
    pth("odd byte order", expect: "the archive's byteorder is 'middle'; expected little or big") {
        ZipWriter.archive(try members(tiny).map { $0.name.hasSuffix("/byteorder") ? ($0.name, Data("middle".utf8)) : $0 })
    },

    // The pickle.
    pickled("unknown pickle opcode", expect: "the pickle has the unknown opcode 0xFF at byte 2: the file is damaged or not a pickle") { p in
        p.raw(0xFF)
    },
    pickled("pickle protocol 6", expect: "the pickle uses protocol 6; Python's pickle knows 0 to 5") { p in p.bytes = [0x80, 6, 0x7D, 0x2E] },
    pth("truncated pickle", expect: "the pickle ends inside a string at byte 76 (7 bytes needed, 5 left): the file is truncated") {
        let pkl = try tinyPickle()
        return archive(pickle: Array(pkl.prefix(pkl.count / 2)))
    },
    pickled("pickle without STOP", expect: "the pickle ends without STOP: the file is truncated") { p in p.raw(0x7D) },
    pickled("protocol-0 STRING opcode", expect: "the pickle uses the text string opcode STRING of protocol 0 at byte 2, which is not read; "
            + "save it again with a binary protocol (torch.save's default)") { p in
        p.bytes = [0x80, 2] + Array("S'w'\n".utf8) + [0x2E]
    },
    pickled("memo entry never stored", expect: "the pickle refers to memo entry 7, which was never stored (at byte 12): it is damaged") { p in
        p.raw(0x7D, 0x28); p.string("w"); p.raw(0x68, 7, 0x75); p.stop()
    },
    pickled("empty stack", expect: "the pickle pops an empty stack at byte 7: it is damaged") { p in p.raw(0x7D, 0x28, 0x75, 0x30, 0x30, 0x2E) },
    pickled("extension registry", expect: "the pickle uses the extension registry (EXT opcodes) at byte 2, which checkpoints never do") { p in
        p.raw(0x82, 1, 0x2E)
    },

    // Tensors in the pickle.
    pickled("view past its storage", expect: "a tensor (torch._utils._rebuild_tensor_v2) of size [2, 2] and strides [2, 1] at offset 2 "
            + "reads past its storage '0' of 4 elements") { p in
        p.raw(0x7D, 0x28); p.string("w"); p.tensor(numel: 4, offset: 2, shape: [2, 2], strides: [2, 1]); p.raw(0x75); p.stop()
    },
    pickled("unknown storage type", expect: "a tensor (torch._utils._rebuild_tensor_v2) is stored as torch.ComplexFloatStorage; "
            + "SeqLab reads Float, Double, Half, BFloat16, Long, Int, Short, Char, Byte and Bool storages") { p in
        p.raw(0x7D, 0x28); p.string("w"); p.tensor(storageClass: "ComplexFloatStorage", numel: 2, shape: [2], strides: [1]); p.raw(0x75); p.stop()
    },
    // Crashed before fuzz-pth's work (the input is in Fuzz/corpus/pth): a parameter whose arguments are a list it is then
    // appended to recursed until the stack overflowed.
    pickled("parameter wrapping itself", expect: "a tensor (torch._utils._rebuild_parameter) wraps parameters in parameters more than 8 deep "
            + "(or in itself): the file is damaged") { p in
        p.raw(0x7D); p.string("w"); p.raw(0x5D, 0x71, 0)
        p.global("torch._utils", "_rebuild_parameter"); p.raw(0x68, 0, 0x52, 0x71, 1, 0x61, 0x30, 0x68, 1, 0x73); p.stop()
    },
    // Ran out of memory before fuzz-pth's work (the input is in Fuzz/corpus/pth): 600 bytes claiming a table of a billion
    // elements (strides 0) made the build allocate 4 GB.
    pickled("huge table over one stored element", expect: "'item_embedding.weight' of size [268435456, 4] has 1073741824 elements but views "
            + "a storage of 4 (strides [0, 0]); a state dict stores every tensor whole") { p in
        p.raw(0x7D, 0x28); p.string("item_embedding.weight"); p.tensor(numel: 4, shape: [1 << 28, 4], strides: [0, 0]); p.raw(0x75); p.stop()
    },
    pickled("entry not a tensor", expect: "state dict entry 'steps' is 5, not a tensor") { p in
        p.raw(0x7D, 0x28); p.string("w"); p.tensor(numel: 4, shape: [4], strides: [1]); p.string("steps"); p.int(5); p.raw(0x75); p.stop()
    },
    pickled("key not a string", expect: "the state dict has a key that is not a string (1)") { p in
        p.raw(0x7D, 0x28); p.int(1); p.tensor(numel: 4, shape: [4], strides: [1]); p.raw(0x75); p.stop()
    },
    pickled("root a list", expect: "expected a state dict (a dict of tensors) but found a list of 0") { p in p.raw(0x5D, 0x2E) },

    // The RecBole layout.
    pth("bare state dict without model:", "",
        expect: "a bare state dict does not say which model it holds; give model: (\"sasrec\", \"gru4rec\", \"nextitnet\", \"bert4rec\", or the authors' \"unisrec\")") {
        try export()
    },
    pth("importModel of an unknown family", ", model: \"transformer\"", category: "names",
        expect: "1:19: SeqLab imports \"sasrec\", \"gru4rec\", \"nextitnet\", \"bert4rec\", \"unisrec\", not \"transformer\"") { try export() },
    pth("bare NextItNet state dict", ", model: \"nextitnet\"", expect: "a bare RecBole NextItNet state dict does not hold its dilations; "
        + "import the checkpoint RecBole's trainer saved (its config has them)") { nextItNetLike },
    pth("NextItNet checkpoint without sizes", "", expect: "the RecBole config's 'embedding_size' should be an integer but is nothing") {
        try trainerDict(config: { $0.config([("model", "NextItNet")]) }, stateDict: nextItNetLike)
    },
    pth("model: disagrees with the checkpoint", ", model: \"gru4rec\"", expect: "model: says gru4rec but the checkpoint holds RecBole's SASRec") {
        try trainerCheckpoint()
    },
    // A config of a few bytes must not make the import build a model of its sizes: they are checked
    // against the tensors first (fuzz-pth found a 2 KB file asking for about 155 GB).
    pth("config sizes beyond the tensors", "", expect: "the config's hidden_size is 4096 but the state dict's item_embedding.weight is [1683, 32]") {
        try trainerDict(config: { $0.config([("model", "SASRec"), ("hidden_act", "gelu")],
                                             numbers: [("layer_norm_eps", 1e-12), ("hidden_size", 4096), ("n_layers", 64), ("n_heads", 2),
                                                       ("inner_size", 65536), ("MAX_ITEM_LIST_LENGTH", 100_000),
                                                       ("hidden_dropout_prob", 0.5), ("attn_dropout_prob", 0.5)]) },
                        stateDict: try export())
    },
    pth("config not a Config", "", expect: "the checkpoint's config is 'SASRec', not a RecBole Config with a final_config_dict") {
        try trainerDict(config: { $0.string("SASRec") }, stateDict: try export())
    },
    pth("config without sizes", "", expect: "the RecBole config's 'layer_norm_eps' should be a number but is nothing") {
        try trainerDict(config: { $0.config([("model", "SASRec")]) }, stateDict: try export())
    },
    pth("state_dict without config", "", expect: "the checkpoint has a state_dict but no config; give model: to read the state dict alone") {
        try stateDictOnly(try export())
    },
    pth("state dict of another model", expect: "the state dict has no 2-D item_embedding.weight, so it is not a RecBole SASRec") {
        try torchGolden()
    },
    pth("SASRec dict read as gru4rec", ", model: \"gru4rec\"",
        expect: "the state dict has no 2-D gru_layers.weight_hh_l0, so it is not a RecBole GRU4Rec") { try export() },
    pth("tensor missing", expect: "the state dict has no 'trm_encoder.layer.0.feed_forward.dense_2.bias' (SeqLab's layer0.ff2.bias); "
        + "it is not a RecBole SASRec of these sizes") {
        try editedExport { $0.removeAll { $0.name == "trm_encoder.layer.0.feed_forward.dense_2.bias" } }
    },
    pth("extra tensor", expect: "the state dict has 'trm_encoder.layer.0.feed_forward.dense_3.weight', which SeqLab's SASRec does not have; "
        + "it is not a RecBole SASRec of these sizes") {
        try editedExport { $0.append(("trm_encoder.layer.0.feed_forward.dense_3.weight", .float(Tensor(zeros: [32, 64])))) }
    },
    pth("item table narrower than the position table", expect: "'position_embedding.weight' is [50, 32] but a SASRec of these sizes needs [50, 16]") {
        try editedExport { tensors in
            let k = tensors.firstIndex { $0.name == "item_embedding.weight" }!
            tensors[k].value = .float(Tensor(zeros: [1683, 16]))
        }
    },
    pth("weights stored as integers", expect: "tensor 'LayerNorm.weight' is Long, not floating point") {
        try editedExport { tensors in
            let k = tensors.firstIndex { $0.name == "LayerNorm.weight" }!
            tensors[k].value = .int64([Int64](repeating: 1, count: 32), shape: [32])
        }
    },
    pth("heads that do not divide the width", ", model: \"sasrec\", heads: 5", expect: "SASRec: 5 heads do not divide hidden size 32") { try export() },

    // The data.
    pth("trainer checkpoint on another dataset", "", expect: "1:16: $DIR/m.pth ranks 1682 items but synthetic-movies has 200; "
        + "give the dataset RecBole trained on, read from the same atomic files") { try trainerCheckpoint() },
    // model: reads the state_dict of a checkpoint without config (as the message above says), here for a dataset of another size.
    pth("state_dict without config, with model:", expect: "1:16: $DIR/m.pth ranks 1682 items but synthetic-movies has 200; "
        + "give the dataset RecBole trained on, read from the same atomic files") { try stateDictOnly(try export()) },
]
