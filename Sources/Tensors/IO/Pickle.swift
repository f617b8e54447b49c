// A restricted reader of Python pickles (protocols 0–5, the binary opcodes and the few text ones
// torch.save and RecBole's checkpoints use). Nothing is ever executed: a global is a name, a call
// (REDUCE, NEWOBJ, OBJ, INST) is an inert record of what would have been called with which
// arguments, and BUILD, APPEND and SETITEM(S) fill such records in. `collections.OrderedDict()` is the
// one call understood, as an empty dictionary, because every state dict is one. What the records
// mean (a tensor, a RecBole config) is decided by the caller (TorchCheckpoint.swift).
//
// Containers live in an arena owned by the result and values refer to them by index, so a hostile
// pickle can build cycles or chains a million deep without a recursive release or traversal ever
// overflowing the stack; readers of the result bound their own depth.

import Foundation

/// A value read from a pickle; containers are indices into the `Pickle` that holds them.
public enum PickleValue: Equatable, Sendable {
    /// Python's None.
    case none
    /// True or False.
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int64)
    /// An integer wider than 64 bits: its little-endian two's-complement bytes.
    case bigInt([UInt8])
    /// A float.
    case float(Double)
    /// A str.
    case string(String)
    /// bytes or bytearray.
    case bytes(Data)
    /// A tuple: `Pickle.tuples[i]`.
    case tuple(Int)
    /// A list: `Pickle.lists[i]`.
    case list(Int)
    /// A dict (or an OrderedDict): `Pickle.dicts[i]`.
    case dict(Int)
    /// A set or frozenset: `Pickle.sets[i]`.
    case set(Int)
    /// A global name (class or function), never resolved.
    case global(module: String, name: String)
    /// A call that was not made: `Pickle.objects[i]`.
    case object(Int)
    /// A persistent id (torch.save's reference to a storage): `Pickle.persistentIDs[i]`.
    case persistent(Int)
}

/// A dictionary read from a pickle: entries in insertion order, a repeated string or integer key
/// keeping its first position and its last value, as Python's dict does (other keys, which no
/// checkpoint uses, are kept as they come, so a hostile file cannot make insertion quadratic).
public struct PickleDict: Sendable {
    /// The entries in insertion order.
    public internal(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    /// Attributes a BUILD gave it (an OrderedDict's `_metadata`), or nil.
    public internal(set) var state: PickleValue?
    // Lookup only; never iterated.
    private var stringKeys: [String: Int] = [:]
    private var intKeys: [Int64: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        switch key {
        case .string(let s):
            if let i = stringKeys[s] { entries[i].value = value; return }
            stringKeys[s] = entries.count
        case .int(let n):
            if let i = intKeys[n] { entries[i].value = value; return }
            intKeys[n] = entries.count
        default: break
        }
        entries.append((key, value))
    }

    /// The value under the string key `key`, or nil.
    public subscript(key: String) -> PickleValue? { stringKeys[key].map { entries[$0].value } }
}

/// A call the pickle asked for, recorded instead of made.
public struct PickleObject: Sendable {
    /// What would have been called (usually a `.global`).
    public let callee: PickleValue
    /// Its positional arguments (a `.tuple`, or `.none` for OBJ/INST with none).
    public let arguments: PickleValue
    /// Keyword arguments of NEWOBJ_EX, or nil.
    public let keywords: PickleValue?
    /// The state BUILD passed (`__setstate__` / `__dict__`), or nil.
    public internal(set) var state: PickleValue?
    /// Items APPEND(S) added, for list subclasses.
    public internal(set) var items: [PickleValue] = []
    /// Entries SETITEM(S) added, for dict subclasses.
    public internal(set) var dictItems: [(key: PickleValue, value: PickleValue)] = []
}

/// A parsed pickle: the value it produced and the containers it refers to.
public struct Pickle: Sendable {
    /// What the pickle produced (the value STOP returned).
    public internal(set) var root: PickleValue = .none
    /// Tuples by index.
    public internal(set) var tuples: [[PickleValue]] = []
    /// Lists by index.
    public internal(set) var lists: [[PickleValue]] = []
    /// Dicts by index.
    public internal(set) var dicts: [PickleDict] = []
    /// Sets by index.
    public internal(set) var sets: [[PickleValue]] = []
    /// Recorded calls by index.
    public internal(set) var objects: [PickleObject] = []
    /// Persistent ids by index.
    public internal(set) var persistentIDs: [PickleValue] = []

    /// The most containers (of every kind together) one pickle may build; beyond it the input is
    /// treated as hostile rather than as a checkpoint.
    public static let containerLimit = 10_000_000

    /// Reads `data` (a whole pickle, ending at STOP); `source` names it in errors.
    public init(data: Data, source: String) throws(TorchCheckpointError) {
        var reader = PickleReader(data: data, source: source)
        self = try reader.run()
    }

    init() {}

    /// The elements of a tuple or list, or nil for anything else.
    public func elements(_ v: PickleValue) -> [PickleValue]? {
        switch v {
        case .tuple(let i): return tuples[i]
        case .list(let i): return lists[i]
        default: return nil
        }
    }

    /// The dict `v` is, or nil.
    public func dict(_ v: PickleValue) -> PickleDict? {
        if case .dict(let i) = v { return dicts[i] }
        return nil
    }

    /// The recorded call `v` is, or nil.
    public func object(_ v: PickleValue) -> PickleObject? {
        if case .object(let i) = v { return objects[i] }
        return nil
    }

    /// "module.name" of a global, or nil.
    public func globalName(_ v: PickleValue) -> String? {
        if case .global(let module, let name) = v { return "\(module).\(name)" }
        return nil
    }
}

private enum Op {
    static let mark: UInt8 = 0x28, stop: UInt8 = 0x2E, pop: UInt8 = 0x30, popMark: UInt8 = 0x31, dup: UInt8 = 0x32
    static let float: UInt8 = 0x46, int: UInt8 = 0x49, binInt: UInt8 = 0x4A, binInt1: UInt8 = 0x4B, long: UInt8 = 0x4C
    static let binInt2: UInt8 = 0x4D, none: UInt8 = 0x4E, persID: UInt8 = 0x50, binPersID: UInt8 = 0x51, reduce: UInt8 = 0x52
    static let string: UInt8 = 0x53, binString: UInt8 = 0x54, shortBinString: UInt8 = 0x55, unicode: UInt8 = 0x56
    static let binUnicode: UInt8 = 0x58, append: UInt8 = 0x61, build: UInt8 = 0x62, global: UInt8 = 0x63, dict: UInt8 = 0x64
    static let emptyDict: UInt8 = 0x7D, appends: UInt8 = 0x65, get: UInt8 = 0x67, binGet: UInt8 = 0x68, inst: UInt8 = 0x69
    static let longBinGet: UInt8 = 0x6A, list: UInt8 = 0x6C, emptyList: UInt8 = 0x5D, obj: UInt8 = 0x6F, put: UInt8 = 0x70
    static let binPut: UInt8 = 0x71, longBinPut: UInt8 = 0x72, setItem: UInt8 = 0x73, tuple: UInt8 = 0x74
    static let emptyTuple: UInt8 = 0x29, setItems: UInt8 = 0x75, binFloat: UInt8 = 0x47
    static let proto: UInt8 = 0x80, newObj: UInt8 = 0x81, ext1: UInt8 = 0x82, ext2: UInt8 = 0x83, ext4: UInt8 = 0x84
    static let tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87, newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89
    static let long1: UInt8 = 0x8A, long4: UInt8 = 0x8B
    static let binBytes: UInt8 = 0x42, shortBinBytes: UInt8 = 0x43
    static let shortBinUnicode: UInt8 = 0x8C, binUnicode8: UInt8 = 0x8D, binBytes8: UInt8 = 0x8E, emptySet: UInt8 = 0x8F
    static let addItems: UInt8 = 0x90, frozenSet: UInt8 = 0x91, newObjEx: UInt8 = 0x92, stackGlobal: UInt8 = 0x93
    static let memoize: UInt8 = 0x94, frame: UInt8 = 0x95, byteArray8: UInt8 = 0x96, nextBuffer: UInt8 = 0x97
    static let readonlyBuffer: UInt8 = 0x98
}

/// The pickle machine: a stack, a mark stack and a memo, over the arena being built.
private struct PickleReader {
    let bytes: [UInt8]
    let source: String
    var position = 0
    var stack: [PickleValue] = []
    var marks: [Int] = []
    // Memo keys are arbitrary 32-bit (or text) numbers; lookup only.
    var memo: [Int: PickleValue] = [:]
    var result = Pickle()
    var containers = 0

    init(data: Data, source: String) {
        bytes = [UInt8](data)
        self.source = source
    }

    func fail(_ message: String) -> TorchCheckpointError {
        TorchCheckpointError(path: source, message: "the pickle \(message)")
    }

    mutating func take(_ n: Int, _ what: String) throws(TorchCheckpointError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - position else {
            throw fail("ends inside \(what) at byte \(position) (\(n) bytes needed, \(bytes.count - position) left): the file is truncated")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func unsigned(_ n: Int, _ what: String) throws(TorchCheckpointError) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in try take(n, what).enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
        return v
    }

    mutating func line(_ what: String) throws(TorchCheckpointError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("ends inside \(what): the file is truncated") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    mutating func pop() throws(TorchCheckpointError) -> PickleValue {
        guard let v = stack.popLast() else { throw fail("pops an empty stack at byte \(position): it is damaged") }
        if let m = marks.last, stack.count < m { throw fail("pops past a mark at byte \(position): it is damaged") }
        return v
    }

    mutating func popMark() throws(TorchCheckpointError) -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("ends a group with no MARK at byte \(position): it is damaged") }
        defer { stack.removeSubrange(m...) }
        return Array(stack[m...])
    }

    mutating func top() throws(TorchCheckpointError) -> PickleValue {
        guard let v = stack.last, (marks.last ?? 0) < stack.count else { throw fail("reads an empty stack at byte \(position): it is damaged") }
        return v
    }

    mutating func count() throws(TorchCheckpointError) {
        containers += 1
        if containers > Pickle.containerLimit {
            throw fail("builds more than \(Pickle.containerLimit) containers; no checkpoint does: it is damaged or hostile")
        }
    }

    mutating func tuple(_ items: [PickleValue]) throws(TorchCheckpointError) -> PickleValue {
        try count()
        result.tuples.append(items)
        return .tuple(result.tuples.count - 1)
    }

    mutating func newDict() throws(TorchCheckpointError) -> PickleValue {
        try count()
        result.dicts.append(PickleDict())
        return .dict(result.dicts.count - 1)
    }

    mutating func newObject(_ callee: PickleValue, _ arguments: PickleValue, keywords: PickleValue? = nil) throws(TorchCheckpointError) -> PickleValue {
        // The one call read as what it makes: an empty OrderedDict (or dict), which SETITEMS then fills.
        if case .global(let module, let name) = callee, (module == "collections" && name == "OrderedDict") || (module == "builtins" && name == "dict"),
           result.elements(arguments)?.isEmpty ?? (arguments == .none), keywords == nil {
            return try newDict()
        }
        try count()
        result.objects.append(PickleObject(callee: callee, arguments: arguments, keywords: keywords))
        return .object(result.objects.count - 1)
    }

    mutating func string(_ bytes: ArraySlice<UInt8>, _ what: String) throws(TorchCheckpointError) -> PickleValue {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("holds \(what) that is not valid UTF-8 at byte \(position)") }
        return .string(s)
    }

    mutating func push(_ v: PickleValue) { stack.append(v) }

    mutating func append(_ items: [PickleValue]) throws(TorchCheckpointError) {
        switch try top() {
        case .list(let i): result.lists[i].append(contentsOf: items)
        case .object(let i): result.objects[i].items.append(contentsOf: items)
        case .set(let i): result.sets[i].append(contentsOf: items)
        default: throw fail("appends to something that is not a list at byte \(position)")
        }
    }

    mutating func setItems(_ pairs: [PickleValue]) throws(TorchCheckpointError) {
        guard pairs.count % 2 == 0 else { throw fail("sets items from an odd number of values at byte \(position)") }
        switch try top() {
        case .dict(let i):
            for k in stride(from: 0, to: pairs.count, by: 2) { result.dicts[i].set(pairs[k], pairs[k + 1]) }
        case .object(let i):
            for k in stride(from: 0, to: pairs.count, by: 2) { result.objects[i].dictItems.append((pairs[k], pairs[k + 1])) }
        default: throw fail("sets an item of something that is not a dict at byte \(position)")
        }
    }

    mutating func memoGet(_ key: Int) throws(TorchCheckpointError) -> PickleValue {
        guard let v = memo[key] else { throw fail("refers to memo entry \(key), which was never stored (at byte \(position)): it is damaged") }
        return v
    }

    mutating func run() throws(TorchCheckpointError) -> Pickle {
        while position < bytes.count {
            let at = position
            let op = bytes[position]
            position += 1
            switch op {
            case Op.proto:
                let v = try unsigned(1, "PROTO")
                guard v <= 5 else { throw fail("uses protocol \(v); Python's pickle knows 0 to 5") }
            case Op.frame: _ = try unsigned(8, "FRAME")
            case Op.stop:
                let v = try pop()
                result.root = v
                return result
            case Op.mark: marks.append(stack.count)
            case Op.pop:
                if let m = marks.last, m == stack.count { marks.removeLast() } else { _ = try pop() }
            case Op.popMark: _ = try popMark()
            case Op.dup: push(try top())
            case Op.none: push(.none)
            case Op.newTrue: push(.bool(true))
            case Op.newFalse: push(.bool(false))
            case Op.binInt: push(.int(Int64(Int32(bitPattern: UInt32(try unsigned(4, "BININT"))))))
            case Op.binInt1: push(.int(Int64(try unsigned(1, "BININT1"))))
            case Op.binInt2: push(.int(Int64(try unsigned(2, "BININT2"))))
            case Op.long1, Op.long4:
                let n = Int(op == Op.long1 ? try unsigned(1, "LONG1") : try unsigned(4, "LONG4"))
                let digits = Array(try take(n, "a long integer"))
                if n <= 8 {
                    var v: UInt64 = 0
                    for (k, b) in digits.enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
                    if n > 0 && n < 8 && digits[n - 1] & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }   // sign-extend
                    push(.int(Int64(bitPattern: v)))
                } else {
                    push(.bigInt(digits))
                }
            case Op.int:
                let text = try line("INT")
                if text == "01" { push(.bool(true)) } else if text == "00" { push(.bool(false)) }
                else if let v = Int64(text) { push(.int(v)) } else { throw fail("holds INT '\(text)' that is not a number") }
            case Op.long:
                var text = try line("LONG")
                if text.hasSuffix("L") { text.removeLast() }
                guard let v = Int64(text) else { throw fail("holds a text LONG '\(text)' beyond 64 bits, which is not read") }
                push(.int(v))
            case Op.float:
                let text = try line("FLOAT")
                guard let v = Double(text) else { throw fail("holds FLOAT '\(text)' that is not a number") }
                push(.float(v))
            case Op.binFloat: push(.float(Double(bitPattern: UInt64(bigEndian: try unsigned(8, "BINFLOAT")))))
            case Op.shortBinUnicode: push(try string(try take(Int(try unsigned(1, "a string length")), "a string"), "a string"))
            case Op.binUnicode: push(try string(try take(Int(try unsigned(4, "a string length")), "a string"), "a string"))
            case Op.binUnicode8:
                let n = try unsigned(8, "a string length")
                push(try string(try take(Int(exactly: n) ?? -1, "a string"), "a string"))
            case Op.shortBinString: push(try string(try take(Int(try unsigned(1, "a string length")), "a string"), "a byte string"))
            case Op.binString: push(try string(try take(Int(try unsigned(4, "a string length")), "a string"), "a byte string"))
            case Op.shortBinBytes: push(.bytes(Data(try take(Int(try unsigned(1, "a bytes length")), "bytes"))))
            case Op.binBytes: push(.bytes(Data(try take(Int(try unsigned(4, "a bytes length")), "bytes"))))
            case Op.binBytes8, Op.byteArray8:
                let n = try unsigned(8, "a bytes length")
                push(.bytes(Data(try take(Int(exactly: n) ?? -1, "bytes"))))
            case Op.string, Op.unicode:
                throw fail("uses the text string opcode \(op == Op.string ? "STRING" : "UNICODE") of protocol 0 at byte \(at), which is not read; save it again with a binary protocol (torch.save's default)")
            case Op.emptyTuple: push(try tuple([]))
            case Op.tuple1: push(try tuple([try pop()]))
            case Op.tuple2:
                let b = try pop(), a = try pop()
                push(try tuple([a, b]))
            case Op.tuple3:
                let c = try pop(), b = try pop(), a = try pop()
                push(try tuple([a, b, c]))
            case Op.tuple: push(try tuple(try popMark()))
            case Op.emptyList:
                try count(); result.lists.append([]); push(.list(result.lists.count - 1))
            case Op.list:
                let items = try popMark()
                try count(); result.lists.append(items); push(.list(result.lists.count - 1))
            case Op.emptyDict: push(try newDict())
            case Op.dict:
                let items = try popMark()
                let d = try newDict()
                push(d)
                try setItems(items)
            case Op.emptySet:
                try count(); result.sets.append([]); push(.set(result.sets.count - 1))
            case Op.frozenSet:
                let items = try popMark()
                try count(); result.sets.append(items); push(.set(result.sets.count - 1))
            case Op.addItems:
                let items = try popMark()
                try append(items)
            case Op.append: try append([try pop()])
            case Op.appends: try append(try popMark())
            case Op.setItem:
                let value = try pop(), key = try pop()
                try setItems([key, value])
            case Op.setItems: try setItems(try popMark())
            case Op.global:
                let module = try line("GLOBAL"), name = try line("GLOBAL")
                push(.global(module: module, name: name))
            case Op.stackGlobal:
                let name = try pop(), module = try pop()
                guard case .string(let m) = module, case .string(let n) = name else {
                    throw fail("names a global with something other than two strings at byte \(at)")
                }
                push(.global(module: m, name: n))
            case Op.reduce:
                let arguments = try pop(), callee = try pop()
                push(try newObject(callee, arguments))
            case Op.newObj:
                let arguments = try pop(), callee = try pop()
                push(try newObject(callee, arguments))
            case Op.newObjEx:
                let keywords = try pop(), arguments = try pop(), callee = try pop()
                push(try newObject(callee, arguments, keywords: keywords))
            case Op.obj:
                let items = try popMark()
                guard let callee = items.first else { throw fail("has an OBJ with no class at byte \(at)") }
                push(try newObject(callee, try tuple(Array(items.dropFirst()))))
            case Op.inst:
                let module = try line("INST"), name = try line("INST")
                let items = try popMark()
                push(try newObject(.global(module: module, name: name), try tuple(items)))
            case Op.build:
                let state = try pop()
                switch try top() {
                case .object(let i): result.objects[i].state = state
                case .dict(let i): result.dicts[i].state = state
                default: break   // a state for something read as a plain value: kept nowhere, as it changes nothing here
                }
            case Op.binPersID:
                let id = try pop()
                result.persistentIDs.append(id); push(.persistent(result.persistentIDs.count - 1))
            case Op.persID:
                let text = try line("PERSID")
                result.persistentIDs.append(.string(text)); push(.persistent(result.persistentIDs.count - 1))
            case Op.binPut: memo[Int(try unsigned(1, "BINPUT"))] = try top()
            case Op.longBinPut: memo[Int(try unsigned(4, "LONG_BINPUT"))] = try top()
            case Op.memoize: memo[memo.count] = try top()
            case Op.put:
                let text = try line("PUT")
                guard let key = Int(text) else { throw fail("holds PUT '\(text)' that is not a number") }
                memo[key] = try top()
            case Op.binGet: push(try memoGet(Int(try unsigned(1, "BINGET"))))
            case Op.longBinGet: push(try memoGet(Int(try unsigned(4, "LONG_BINGET"))))
            case Op.get:
                let text = try line("GET")
                guard let key = Int(text) else { throw fail("holds GET '\(text)' that is not a number") }
                push(try memoGet(key))
            case Op.ext1, Op.ext2, Op.ext4:
                throw fail("uses the extension registry (EXT opcodes) at byte \(at), which checkpoints never do")
            case Op.nextBuffer: throw fail("refers to an out-of-band buffer (protocol 5) at byte \(at), which a file cannot hold")
            case Op.readonlyBuffer: break
            default:
                throw fail("has the unknown opcode 0x\(String(op, radix: 16, uppercase: true)) at byte \(at): the file is damaged or not a pickle")
            }
            if stack.count > 10_000_000 { throw fail("grows its stack past 10,000,000 values: it is damaged or hostile") }
        }
        throw fail("ends without STOP: the file is truncated")
    }
}
