// PyTorch checkpoints (`torch.save` since 1.6) without Python: a zip archive (ZipArchive.swift)
// holding `<folder>/data.pkl`, a pickle (Pickle.swift) in which every tensor is the call
// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` with
// `storage` a persistent id `('storage', torch.FloatStorage, key, location, numel)`, and
// `<folder>/data/<key>`, the storage's raw bytes (in the order `<folder>/byteorder` names, little
// when absent). Parameters wrap that call in `_rebuild_parameter`. Reading never runs anything: the
// pickle's calls are records, and only these two (and `_rebuild_tensor_v3`, which names its dtype
// separately) are read as tensors. Every view is checked against its storage before a byte is read.
//
// Writing produces what `torch.save(state_dict, f)` does for float and integer tensors: protocol 2,
// an OrderedDict of `_rebuild_tensor_v2` calls over one storage each, the zip laid out as PyTorch's
// writer lays it out, so `torch.load(f, weights_only=True)` and `load_state_dict(strict=True)` take it.

import Foundation
import Support

/// Element types of PyTorch storages.
public enum TorchDType: String, Sendable, CaseIterable {
    case float32 = "Float", float64 = "Double", float16 = "Half", bfloat16 = "BFloat16"
    case int64 = "Long", int32 = "Int", int16 = "Short", int8 = "Char", uint8 = "Byte", bool = "Bool"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// True for the floating-point types.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 || self == .float16 || self == .bfloat16 }

    /// The type a storage class names (`torch.FloatStorage` → float32), or nil.
    init?(storageClass name: String) {
        guard name.hasSuffix("Storage"), let t = TorchDType(rawValue: String(name.dropLast("Storage".count))) else { return nil }
        self = t
    }

    /// The type a dtype global names (`torch.float32` → float32), or nil.
    init?(dtypeName name: String) {
        switch name {
        case "float32", "float": self = .float32
        case "float64", "double": self = .float64
        case "float16", "half": self = .float16
        case "bfloat16": self = .bfloat16
        case "int64", "long": self = .int64
        case "int32", "int": self = .int32
        case "int16", "short": self = .int16
        case "int8": self = .int8
        case "uint8": self = .uint8
        case "bool": self = .bool
        default: return nil
        }
    }
}

/// A tensor as a checkpoint describes it: which storage holds it and how it views that storage.
public struct TorchTensorReference: Sendable, Equatable {
    /// The storage's key (its member `data/<key>`).
    public let storageKey: String
    /// The element type.
    public let dtype: TorchDType
    /// Elements in the storage.
    public let storageCount: Int
    /// The first element's position in the storage.
    public let offset: Int
    /// Dimensions.
    public let shape: [Int]
    /// Elements to step per dimension.
    public let strides: [Int]

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// A torch.save checkpoint read without running any of it.
public struct TorchCheckpoint {
    /// Where the bytes came from, for messages.
    public let path: String
    /// The pickle `data.pkl` holds.
    public let pickle: Pickle
    private let archive: ZipArchive
    private let folder: String
    private let bigEndian: Bool

    /// The most elements one tensor may have (what a SeqLab tensor can hold).
    public static let elementLimit = Int(Int32.max)

    /// Reads and checks the file at `path`.
    public init(contentsOf path: String) throws(TorchCheckpointError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw TorchCheckpointError(path: path, message: !exists ? "no such file"
                : isDirectory.boolValue ? "is a directory; expected a .pth file (the zip archive torch.save writes)"
                : "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, path: path)
    }

    /// Parses bytes already in memory; `path` names them in errors.
    public init(data: Data, path: String) throws(TorchCheckpointError) {
        self.path = path
        archive = try ZipArchive(data: data, path: path)
        // PyTorch puts every member under one folder named after the file; data.pkl says which.
        guard let pkl = archive.entries.first(where: { entry in
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1] == "data.pkl"
        }) else {
            throw TorchCheckpointError(path: path, message: "the archive has no <folder>/data.pkl, so it is not a torch.save checkpoint")
        }
        folder = String(pkl.name.dropLast("data.pkl".count))
        if let order = archive.entry(folder + "byteorder") {
            switch String(decoding: try archive.contents(order), as: UTF8.self) {
            case "little": bigEndian = false
            case "big": bigEndian = true
            case let other: throw TorchCheckpointError(path: path, message: "the archive's byteorder is '\(other.prefix(20))'; expected little or big")
            }
        } else {
            bigEndian = false
        }
        pickle = try Pickle(data: try archive.contents(pkl), source: path)
    }

    /// The tensor `v` stands for (a rebuilt tensor or parameter), or nil when `v` is something else.
    public func tensorReference(_ v: PickleValue) throws(TorchCheckpointError) -> TorchTensorReference? {
        try tensorReference(v, wrappers: 0)
    }

    /// How many `_rebuild_parameter` calls may wrap one tensor: PyTorch writes one; a pickle can make
    /// a parameter wrap itself (its arguments a list it is then appended to), which must not recurse forever.
    private static let wrapperLimit = 8

    private func tensorReference(_ v: PickleValue, wrappers: Int) throws(TorchCheckpointError) -> TorchTensorReference? {
        guard let call = pickle.object(v), let callee = pickle.globalName(call.callee) else { return nil }
        let args = pickle.elements(call.arguments) ?? []
        func fail(_ message: String) -> TorchCheckpointError {
            TorchCheckpointError(path: path, message: "a tensor (\(callee)) \(message)")
        }
        switch callee {
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let data = args.first else { throw fail("has no data argument") }
            guard wrappers < Self.wrapperLimit else {
                throw fail("wraps parameters in parameters more than \(Self.wrapperLimit) deep (or in itself): the file is damaged")
            }
            return try tensorReference(data, wrappers: wrappers + 1)
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3":
            guard args.count >= 4 else { throw fail("has \(args.count) arguments; it needs storage, offset, size and stride") }
            guard case .persistent(let p) = args[0], let id = pickle.elements(pickle.persistentIDs[p]), id.count >= 5,
                  id[0] == .string("storage"), case .string(let key) = id[2], case .int(let numel) = id[4], numel >= 0 else {
                throw fail("does not refer to a storage as ('storage', type, key, location, size)")
            }
            guard let storageClass = pickle.globalName(id[1]) else { throw fail("names its storage type with something other than a class") }
            var dtype: TorchDType
            var storageCount = Int(clamping: numel)
            if storageClass == "torch.UntypedStorage" {
                // v3 names the dtype after the hooks; the storage's size is then in bytes.
                guard callee.hasSuffix("v3"), args.count >= 7, case .global("torch", let name) = args[6],
                      let t = TorchDType(dtypeName: name) else { throw fail("uses an untyped storage without a dtype SeqLab reads") }
                dtype = t
                storageCount = storageCount / t.size
            } else {
                guard storageClass.hasPrefix("torch."), let t = TorchDType(storageClass: String(storageClass.dropFirst(6))) else {
                    throw fail("is stored as \(storageClass); SeqLab reads Float, Double, Half, BFloat16, Long, Int, Short, Char, Byte and Bool storages")
                }
                dtype = t
                if callee.hasSuffix("v3"), args.count >= 7, case .global("torch", let name) = args[6], let t = TorchDType(dtypeName: name) { dtype = t }
            }
            guard case .int(let offset64) = args[1], offset64 >= 0, let offset = Int(exactly: offset64) else { throw fail("has an offset that is not a non-negative integer") }
            func ints(_ v: PickleValue, _ what: String) throws(TorchCheckpointError) -> [Int] {
                guard let items = pickle.elements(v) else { throw fail("has a \(what) that is not a tuple") }
                var out: [Int] = []
                for item in items {
                    guard case .int(let n) = item, n >= 0, n <= Int64(Int32.max) else { throw fail("has a \(what) entry that is not a non-negative integer") }
                    out.append(Int(n))
                }
                return out
            }
            let shape = try ints(args[2], "size"), strides = try ints(args[3], "stride")
            guard shape.count == strides.count, shape.count <= 16 else {
                throw fail("has \(shape.count) sizes and \(strides.count) strides")
            }
            var count = 1, last = offset
            for (n, s) in zip(shape, strides) {
                let (c, o1) = count.multipliedReportingOverflow(by: n)
                guard !o1, c <= Self.elementLimit else { throw fail("has \(shape) elements, more than SeqLab's \(Self.elementLimit)") }
                count = c
                if n > 0 {
                    let (step, o2) = (n - 1).multipliedReportingOverflow(by: s)
                    let (sum, o3) = last.addingReportingOverflow(step)
                    guard !o2, !o3 else { throw fail("has strides \(strides) that overflow") }
                    last = sum
                }
            }
            if count > 0 && last >= storageCount {
                throw fail("of size \(shape) and strides \(strides) at offset \(offset) reads past its storage '\(key)' of \(storageCount) elements")
            }
            return TorchTensorReference(storageKey: key, dtype: dtype, storageCount: storageCount, offset: offset, shape: shape, strides: strides)
        default:
            return nil
        }
    }

    /// The named tensors of the state dict `v` (an OrderedDict or dict of name → tensor), in its
    /// order; an entry that is not a tensor is an error naming it. Every tensor's storage must be in
    /// the archive with the bytes its elements need, and no tensor may have more elements than its
    /// storage: a state dict stores each tensor whole, and a broadcast view (zero strides) of a few
    /// stored bytes could otherwise make a reader allocate gigabytes.
    public func stateDict(_ v: PickleValue) throws(TorchCheckpointError) -> [(name: String, tensor: TorchTensorReference)] {
        guard let dict = pickle.dict(v) else {
            throw TorchCheckpointError(path: path, message: "expected a state dict (a dict of tensors) but found \(describe(v))")
        }
        var out: [(name: String, tensor: TorchTensorReference)] = []
        for (key, value) in dict.entries {
            guard case .string(let name) = key else {
                throw TorchCheckpointError(path: path, message: "the state dict has a key that is not a string (\(describe(key)))")
            }
            guard let t = try tensorReference(value) else {
                throw TorchCheckpointError(path: path, message: "state dict entry '\(name)' is \(describe(value)), not a tensor")
            }
            _ = try storageEntry(t)
            guard t.count <= t.storageCount else {
                throw TorchCheckpointError(path: path, message: "'\(name)' of size \(t.shape) has \(t.count) elements but views a storage of \(t.storageCount) (strides \(t.strides)); a state dict stores every tensor whole")
            }
            out.append((name, t))
        }
        return out
    }

    /// A short description of `v` for messages ("a dict of 3 entries", "torch.device(...)").
    public func describe(_ v: PickleValue) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let n): return String(n)
        case .bigInt: return "a very large integer"
        case .float(let x): return String(x)
        case .string(let s): return "'\(s.prefix(40))'"
        case .bytes(let d): return "\(d.count) bytes"
        case .tuple(let i): return "a tuple of \(pickle.tuples[i].count)"
        case .list(let i): return "a list of \(pickle.lists[i].count)"
        case .dict(let i): return "a dict of \(pickle.dicts[i].entries.count) entries"
        case .set(let i): return "a set of \(pickle.sets[i].count)"
        case .global(let m, let n): return "the class \(m).\(n)"
        case .object(let i): return "an object of \(pickle.globalName(pickle.objects[i].callee) ?? "an unnamed class")"
        case .persistent: return "a storage"
        }
    }

    private func storageBytes(_ t: TorchTensorReference) throws(TorchCheckpointError) -> Data {
        try archive.contents(try storageEntry(t))
    }

    private func storageEntry(_ t: TorchTensorReference) throws(TorchCheckpointError) -> ZipArchive.Entry {
        let name = folder + "data/" + t.storageKey
        guard let entry = archive.entry(name) else {
            throw TorchCheckpointError(path: path, message: "the archive has no member '\(name)' for storage '\(t.storageKey)'")
        }
        let (needed, overflow) = t.storageCount.multipliedReportingOverflow(by: t.dtype.size)
        guard !overflow, entry.size >= needed else {
            throw TorchCheckpointError(path: path, message: "storage '\(t.storageKey)' holds \(entry.size) bytes but its \(t.storageCount) \(t.dtype.rawValue) elements need \(needed): the file is truncated or damaged")
        }
        return entry
    }

    /// The storage positions of `t`'s elements in row-major order.
    private func positions(_ t: TorchTensorReference) -> [Int] {
        var out = [Int](repeating: 0, count: t.count)
        guard t.count > 0 else { return out }
        var index = [Int](repeating: 0, count: t.shape.count)
        var at = t.offset
        for k in 0..<t.count {
            out[k] = at
            var d = t.shape.count - 1
            while d >= 0 {
                index[d] += 1
                at += t.strides[d]
                if index[d] < t.shape[d] { break }
                at -= t.strides[d] * t.shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// `t` as a Float32 tensor named `name` (from any floating-point type; integers are an error).
    public func floatTensor(_ t: TorchTensorReference, name: String) throws(TorchCheckpointError) -> Tensor {
        guard t.dtype.isFloatingPoint else {
            throw TorchCheckpointError(path: path, message: "tensor '\(name)' is \(t.dtype.rawValue), not floating point")
        }
        let bytes = try storageBytes(t)
        let out = Tensor(zeros: t.shape, name: name)
        let p = out.pointer, where_ = positions(t), swap = bigEndian
        bytes.withUnsafeBytes { raw in
            for (k, at) in where_.enumerated() {
                switch t.dtype {
                case .float32:
                    let bits = raw.loadUnaligned(fromByteOffset: at * 4, as: UInt32.self)
                    p[k] = Float(bitPattern: swap ? bits.byteSwapped : UInt32(littleEndian: bits))
                case .float64:
                    let bits = raw.loadUnaligned(fromByteOffset: at * 8, as: UInt64.self)
                    p[k] = Float(Double(bitPattern: swap ? bits.byteSwapped : UInt64(littleEndian: bits)))
                case .float16:
                    let bits = raw.loadUnaligned(fromByteOffset: at * 2, as: UInt16.self)
                    p[k] = halfToFloat(swap ? bits.byteSwapped : UInt16(littleEndian: bits))
                case .bfloat16:
                    let bits = raw.loadUnaligned(fromByteOffset: at * 2, as: UInt16.self)
                    p[k] = Float(bitPattern: UInt32(swap ? bits.byteSwapped : UInt16(littleEndian: bits)) << 16)
                default: break
                }
            }
        }
        return out
    }

    /// `t`'s elements as Int64 in row-major order (from any integer or bool type; floats are an error).
    public func integers(_ t: TorchTensorReference, name: String) throws(TorchCheckpointError) -> [Int64] {
        guard !t.dtype.isFloatingPoint else {
            throw TorchCheckpointError(path: path, message: "tensor '\(name)' is \(t.dtype.rawValue), not an integer type")
        }
        let bytes = try storageBytes(t)
        var out = [Int64](repeating: 0, count: t.count)
        let swap = bigEndian
        bytes.withUnsafeBytes { raw in
            for (k, at) in positions(t).enumerated() {
                switch t.dtype {
                case .int64:
                    let b = raw.loadUnaligned(fromByteOffset: at * 8, as: UInt64.self)
                    out[k] = Int64(bitPattern: swap ? b.byteSwapped : UInt64(littleEndian: b))
                case .int32:
                    let b = raw.loadUnaligned(fromByteOffset: at * 4, as: UInt32.self)
                    out[k] = Int64(Int32(bitPattern: swap ? b.byteSwapped : UInt32(littleEndian: b)))
                case .int16:
                    let b = raw.loadUnaligned(fromByteOffset: at * 2, as: UInt16.self)
                    out[k] = Int64(Int16(bitPattern: swap ? b.byteSwapped : UInt16(littleEndian: b)))
                case .int8: out[k] = Int64(Int8(bitPattern: raw[at]))
                case .uint8, .bool: out[k] = Int64(raw[at])
                default: break
                }
            }
        }
        return out
    }
}

/// Writes state dicts as `torch.save` does.
public enum TorchStateDictWriter {
    /// The bytes of a torch.save file holding the OrderedDict `tensors` (in the given order), each
    /// tensor contiguous over a storage of its own. `folder` is the archive's top-level folder
    /// (PyTorch names it after the file; any name loads, and a fixed one keeps the bytes the same).
    public static func encode(_ tensors: [(name: String, value: SafetensorsValue)], folder: String = "archive") -> Data {
        var pickle = PickleWriter()
        pickle.proto()
        pickle.global("collections", "OrderedDict"); pickle.emptyTuple(); pickle.reduce()
        var storages: [(name: String, data: Data)] = []
        pickle.mark()
        for (k, (name, value)) in tensors.enumerated() {
            let key = String(k)
            let (storageClass, shape, bytes) = storage(value)
            pickle.unicode(name)
            pickle.global("torch._utils", "_rebuild_tensor_v2")
            pickle.mark()
            pickle.mark()
            pickle.unicode("storage"); pickle.global("torch", storageClass); pickle.unicode(key); pickle.unicode("cpu")
            pickle.int(shape.reduce(1, *))
            pickle.tuple()
            pickle.binPersID()
            pickle.int(0)
            pickle.intTuple(shape)
            var strides = [Int](repeating: 1, count: shape.count)
            for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
            pickle.intTuple(strides)
            pickle.bool(false)
            pickle.global("collections", "OrderedDict"); pickle.emptyTuple(); pickle.reduce()
            pickle.tuple()
            pickle.reduce()
            storages.append(("\(folder)/data/\(key)", bytes))
        }
        pickle.setItems()
        pickle.stop()
        var members: [(name: String, data: Data)] = [("\(folder)/data.pkl", pickle.bytes), ("\(folder)/byteorder", Data("little".utf8))]
        members += storages
        members.append(("\(folder)/version", Data("3\n".utf8)))
        return ZipWriter.archive(members)
    }

    /// Writes the file atomically: a crash leaves either the old file or the new one, never half.
    public static func write(_ tensors: [(name: String, value: SafetensorsValue)], to path: String) throws(TorchCheckpointError) {
        // The zip written is the classic one: under 4 GiB and 65,535 members, which it checks first.
        var bytes = 0
        for (_, value) in tensors {
            switch value {
            case .float(let t): bytes += t.count * 4
            case .int32(let ids): bytes += ids.values.count * 4
            case .int64(let values, _): bytes += values.count * 8
            }
        }
        guard bytes < 0xFFFF_0000 - 64 * (tensors.count + 4), tensors.count + 3 < 65_535 else {
            throw TorchCheckpointError(path: path, message: "\(tensors.count) tensors of \(bytes) bytes need a zip64 archive, which SeqLab does not write; export to .safetensors instead")
        }
        do { try AtomicFile.write(encode(tensors), to: path) } catch {
            throw TorchCheckpointError(path: path, message: error.message)
        }
    }

    private static func storage(_ value: SafetensorsValue) -> (String, [Int], Data) {
        var data = Data()
        switch value {
        case .float(let t):
            data.reserveCapacity(t.count * 4)
            for i in 0..<t.count { data.appendLE(t.pointer[i].bitPattern) }
            return ("FloatStorage", t.shape, data)
        case .int32(let ids):
            for v in ids.values { data.appendLE(UInt32(bitPattern: v)) }
            return ("IntStorage", ids.shape, data)
        case .int64(let values, let shape):
            for v in values { data.appendLE(UInt64(bitPattern: v)) }
            return ("LongStorage", shape, data)
        }
    }
}

/// The opcodes of protocol 2 a state dict needs.
private struct PickleWriter {
    var bytes = Data()
    mutating func proto() { bytes.append(contentsOf: [0x80, 2]) }
    mutating func mark() { bytes.append(0x28) }
    mutating func stop() { bytes.append(0x2E) }
    mutating func tuple() { bytes.append(0x74) }
    mutating func emptyTuple() { bytes.append(0x29) }
    mutating func reduce() { bytes.append(0x52) }
    mutating func setItems() { bytes.append(0x75) }
    mutating func binPersID() { bytes.append(0x51) }
    mutating func bool(_ b: Bool) { bytes.append(b ? 0x88 : 0x89) }
    mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63)
        bytes.append(contentsOf: Array((module + "\n" + name + "\n").utf8))
    }
    mutating func unicode(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes.append(0x58)
        bytes.appendLE(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func int(_ n: Int) {
        if n >= 0 && n < 256 { bytes.append(0x4B); bytes.append(UInt8(n)) }
        else if n >= 0 && n < 65_536 { bytes.append(0x4D); bytes.appendLE(UInt16(n)) }
        else if let small = Int32(exactly: n) { bytes.append(0x4A); bytes.appendLE(UInt32(bitPattern: small)) }
        else { bytes.append(contentsOf: [0x8A, 8]); bytes.appendLE(UInt64(bitPattern: Int64(n))) }
    }
    mutating func intTuple(_ values: [Int]) {
        mark()
        for v in values { int(v) }
        tuple()
    }
}
