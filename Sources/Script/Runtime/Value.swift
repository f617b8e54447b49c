// Values of the SeqLab language: numbers, strings, booleans, none, lists, records (ordered), functions,
// and handles to objects the library modules provide (datasets, models, results...).

import Foundation

/// An object the language can hold and call methods on (a dataset, a model, a result...).
/// Its members are declared in the `Registry` under its `typeName`.
public protocol ScriptObject: AnyObject {
    /// The type's name as users see it ("Dataset", "Model").
    var typeName: String { get }
    /// What printing the value shows (may be several lines).
    var summary: String { get }
    /// One line for `vars()`.
    var oneLine: String { get }
    /// The length `len(x)` reports, if the object has one.
    var length: Int? { get }
}

extension ScriptObject {
    public var oneLine: String { summary.split(separator: "\n").first.map(String.init) ?? typeName }
    public var length: Int? { nil }
}

/// A record: fields in the order they were written.
public struct Record: Sendable, Equatable {
    /// Field names in order.
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    /// An empty record.
    public init() {}

    /// A record from ordered fields.
    public init(_ fields: [(String, Value)]) { for (k, v) in fields { self[k] = v } }

    /// The field `key`, or nil.
    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if storage[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            storage[key] = newValue
        }
    }

    /// Fields in order.
    public var fields: [(key: String, value: Value)] { keys.map { ($0, storage[$0]!) } }
}

/// A function defined in a script with `fn`.
public final class UserFunction: @unchecked Sendable {
    /// Its name.
    public let name: String
    /// Parameter names.
    public let parameters: [String]
    let body: [Statement]
    let closure: Scope

    init(name: String, parameters: [String], body: [Statement], closure: Scope) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.closure = closure
    }
}

/// A method of an object, bound to its receiver (`net.fit` before it is called).
public struct BoundMethod: @unchecked Sendable {
    /// The object (or value) the method belongs to.
    public let receiver: Value
    /// The method.
    public let spec: BuiltinSpec
}

/// A value of the language.
public indirect enum Value: @unchecked Sendable {
    case none
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    case record(Record)
    case function(UserFunction)
    case builtin(BuiltinSpec)
    case method(BoundMethod)
    case object(ScriptObject)

    /// The type name users see in messages and `vars()`.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .function, .builtin, .method: return "function"
        case .object(let o): return o.typeName
        }
    }

    /// How the REPL and notebooks show the value (strings quoted, as in source).
    public var display: String {
        switch self {
        case .string(let s): return quote(s)
        case .object(let o): return o.summary
        default: return text
        }
    }

    /// How `print` shows the value (strings raw).
    public var text: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .number(let v): return displayNumber(v)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.nested).joined(separator: ", ") + "]"
        case .record(let r): return "{" + r.fields.map { "\($0.key): \($0.value.nested)" }.joined(separator: ", ") + "}"
        case .function(let f): return "fn \(f.name)(\(f.parameters.joined(separator: ", ")))"
        case .builtin(let b): return b.signature
        case .method(let m): return m.spec.signature
        case .object(let o): return o.oneLine
        }
    }

    /// Inside lists and records: strings quoted, objects on one line.
    var nested: String {
        switch self {
        case .string(let s): return quote(s)
        default: return text
        }
    }

    /// A short description for messages: the type and, for small values, the value.
    public var described: String {
        switch self {
        case .none: return "none"
        case .number, .bool: return "\(typeName) \(text)"
        case .string(let s): return "string \(quote(s.count > 30 ? String(s.prefix(27)) + "..." : s))"
        default: return typeName
        }
    }
}

extension Value: Equatable {
    /// Structural equality for plain values; identity for objects and functions.
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.record(x), .record(y)): return x == y
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x.name == y.name && x.ownerType == y.ownerType
        case let (.object(x), .object(y)): return x === y
        default: return false
        }
    }
}

/// Numbers as users expect them: integers without a decimal point, others in the shortest form
/// that reads back to the same Double (so notebook outputs are exact and stable).
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}

/// Numbers as the REPL, notebooks and `print` show them: whole numbers in full, others to 4
/// significant digits (at least one decimal from 1000 up, exponent form below 0.0001). Stored values
/// and `write` keep full precision; `formatNumber` is the exact form.
public func displayNumber(_ v: Double) -> String {
    if v.isNaN || v.isInfinite || (v == v.rounded() && abs(v) < 1e15) { return formatNumber(v) }
    let a = abs(v)
    if a >= 1000 && a < 1e15 { return String(format: "%.1f", v) }
    return String(format: "%.4g", v)
}

private func quote(_ s: String) -> String {
    var out = "\""
    for c in s {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.append(c)
        }
    }
    return out + "\""
}
