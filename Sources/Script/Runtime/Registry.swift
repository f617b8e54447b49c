// The one registry of builtins and methods. A builtin is declared once, with its name, parameters
// (label, type, default, help) and one line of help; help text, tab completion and argument errors
// all come from that declaration, so they cannot drift apart.

/// The type a parameter accepts.
public enum ParameterType: Sendable, Equatable {
    case any, number, integer, string, bool, list, record, function
    /// The value `none` (with `oneOf`, for options that `none` switches off, like `patience: none`).
    case nothing
    /// An object of the named type ("Dataset").
    case object(String)
    /// Any of several types.
    indirect case oneOf([ParameterType])

    /// How the type reads in messages and help.
    public var name: String {
        switch self {
        case .any: return "any value"
        case .number: return "number"
        case .integer: return "integer"
        case .string: return "string"
        case .bool: return "bool"
        case .list: return "list"
        case .record: return "record"
        case .function: return "function"
        case .nothing: return "none"
        case .object(let t): return t
        case .oneOf(let ts): return ts.map(\.name).joined(separator: " or ")
        }
    }

    /// True when `value` has this type.
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.number, .number): return true
        case (.integer, .number(let v)): return v == v.rounded() && abs(v) < 9e15
        case (.string, .string), (.bool, .bool), (.list, .list), (.record, .record): return true
        case (.function, .function), (.function, .builtin), (.function, .method): return true
        case (.nothing, .none): return true
        case (.object(let t), .object(let o)): return o.typeName == t
        case (.oneOf(let ts), _): return ts.contains { $0.accepts(value) }
        default: return false
        }
    }
}

/// One parameter of a builtin.
public struct Parameter: Sendable {
    /// The label in calls; positional parameters have one too, for messages and help.
    public let name: String
    /// Given without a label, by position.
    public let positional: Bool
    /// Accepted type.
    public let type: ParameterType
    /// The default when omitted; nil makes the parameter required. `.none` means "optional".
    public let defaultValue: Value?
    /// One line for help.
    public let help: String
    /// Takes all remaining positional arguments (as `print(a, b, c)`).
    public let variadic: Bool

    /// A parameter. Labelled unless `positional`; required unless it has a default.
    public init(_ name: String, _ type: ParameterType, positional: Bool = false, default defaultValue: Value? = nil,
                variadic: Bool = false, help: String) {
        self.name = name
        self.type = type
        self.positional = positional || variadic
        self.defaultValue = defaultValue
        self.help = help
        self.variadic = variadic
    }
}

/// A builtin function or method: its declaration and its implementation.
public struct BuiltinSpec: @unchecked Sendable {
    /// Name as called.
    public let name: String
    /// For methods: the object type that owns it ("Dataset"); nil for global functions.
    public let ownerType: String?
    /// Parameters in order.
    public let parameters: [Parameter]
    /// One line of help.
    public let help: String
    /// Group for `help()` listings ("basics", "math", "data", ...).
    public let topic: String
    /// A property: read without parentheses (`net.history`).
    public let isProperty: Bool
    /// Evaluates its single argument itself (as `time(expr)`), receiving it as a thunk.
    public let lazy: Bool
    /// The implementation.
    public let body: (Arguments, Interpreter) throws -> Value
    /// For methods that only some objects of the type have (a model family's own members): whether
    /// the object has it. `help(object)` lists only the members that apply.
    public var appliesTo: ((ScriptObject) -> Bool)?

    /// Declares a builtin.
    public init(_ name: String, owner: String? = nil, topic: String = "basics", parameters: [Parameter] = [],
                isProperty: Bool = false, lazy: Bool = false, help: String,
                body: @escaping (Arguments, Interpreter) throws -> Value) {
        self.name = name
        self.ownerType = owner
        self.parameters = parameters
        self.help = help
        self.topic = topic
        self.isProperty = isProperty
        self.lazy = lazy
        self.body = body
    }

    /// `fit(split, epochs: 10, lr: 0.001)`: how the call reads, defaults shown.
    public var signature: String {
        if isProperty { return (ownerType.map { "\($0)." } ?? "") + name }
        let ps = parameters.map { p -> String in
            var s = p.positional ? p.name : "\(p.name):"
            if p.variadic { s += "..." }
            if let d = p.defaultValue { s += p.positional ? " = \(d.nested)" : " \(d.nested)" }
            return s
        }
        return (ownerType.map { "\($0)." } ?? "") + "\(name)(\(ps.joined(separator: ", ")))"
    }

    /// Multi-line help: signature, description, one line per parameter, wrapped to `width` columns.
    public func helpText(width: Int = 80) -> String {
        var lines = wrapped(signature, width: width, indent: 0, hanging: 4) + wrapped(help, width: width, indent: 2, hanging: 2)
        for p in parameters {
            lines += wrapped("\(p.name) (\(p.type.name)\(p.defaultValue == nil ? ", required" : "")): \(p.help)",
                             width: width, indent: 2, hanging: 6)
        }
        return lines.joined(separator: "\n")
    }
}

/// `text` broken at spaces into lines of at most `width` columns: the first indented by `indent`, the
/// rest by `hanging`. A word longer than a line stays whole.
public func wrapped(_ text: String, width: Int, indent: Int, hanging: Int) -> [String] {
    var lines: [String] = []
    var line = String(repeating: " ", count: indent)
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if lineHasWord && line.count + 1 + word.count > width {
            lines.append(line)
            line = String(repeating: " ", count: hanging)
            lineHasWord = false
        }
        line += (lineHasWord ? " " : "") + word
        lineHasWord = true
    }
    lines.append(line)
    return lines
}

/// Every builtin function and method the language knows.
public final class Registry: @unchecked Sendable {
    private(set) var functions: [String: BuiltinSpec] = [:]
    private(set) var methods: [String: [String: BuiltinSpec]] = [:]
    private(set) var typeHelp: [String: String] = [:]

    /// An empty registry (see `Registry.standard()` for the full one).
    public init() {}

    /// Help pages that are neither a builtin nor a type (e.g. "naming"), by name.
    public private(set) var topicText: [String: String] = [:]

    /// Adds a help page reached by `help("name")`.
    public func describeTopic(_ name: String, _ text: String) { topicText[name] = text }

    /// Declares a method that applies only to the objects of its type for which `appliesTo` holds.
    public func registerMethod(_ spec: BuiltinSpec, appliesTo: @escaping (ScriptObject) -> Bool) {
        var spec = spec
        spec.appliesTo = appliesTo
        registerMethod(spec)
    }

    /// Declares a global function.
    public func register(_ spec: BuiltinSpec) {
        precondition(spec.ownerType == nil, "use registerMethod for \(spec.name)")
        precondition(functions[spec.name] == nil, "builtin \(spec.name) declared twice")
        functions[spec.name] = spec
    }

    /// Declares a method or property of an object type.
    public func registerMethod(_ spec: BuiltinSpec) {
        guard let owner = spec.ownerType else { preconditionFailure("method \(spec.name) needs an owner type") }
        precondition(methods[owner]?[spec.name] == nil, "method \(owner).\(spec.name) declared twice")
        methods[owner, default: [:]][spec.name] = spec
    }

    /// Describes an object type for `help(x)`.
    public func describeType(_ name: String, _ help: String) { typeHelp[name] = help }

    /// The global function `name`.
    public func function(_ name: String) -> BuiltinSpec? { functions[name] }

    /// The member `name` of type `type`.
    public func member(_ name: String, of type: String) -> BuiltinSpec? { methods[type]?[name] }

    /// Names of all global functions, sorted.
    public var functionNames: [String] { functions.keys.sorted() }

    /// Member names of a type, sorted.
    public func memberNames(of type: String) -> [String] { (methods[type] ?? [:]).keys.sorted() }

    /// Members of a type, sorted by name.
    public func members(of type: String) -> [BuiltinSpec] { memberNames(of: type).compactMap { methods[type]?[$0] } }

    /// The description of a type, if declared.
    public func help(forType type: String) -> String? { typeHelp[type] }

    /// Object type names that have members, sorted.
    public var typeNames: [String] { Set(methods.keys).union(typeHelp.keys).sorted() }

    /// Topics of the global functions, sorted, each with its functions sorted.
    public var topics: [(topic: String, functions: [BuiltinSpec])] {
        var byTopic: [String: [BuiltinSpec]] = [:]
        for name in functionNames { byTopic[functions[name]!.topic, default: []].append(functions[name]!) }
        return byTopic.keys.sorted().map { ($0, byTopic[$0]!) }
    }
}

/// The arguments of one call, bound to the builtin's parameters and type-checked.
public struct Arguments {
    /// The builtin being called.
    public let spec: BuiltinSpec
    /// For methods: the object.
    public let receiver: Value?
    let values: [Value?]
    let locations: [SourceLocation?]
    /// Characters each given argument spans (label and value), for underlines.
    let lengths: [Int?]
    /// Where the call is (for errors not tied to one argument).
    public let callLocation: SourceLocation
    /// Extra positional values of a variadic parameter.
    public let rest: [Value]
    /// For lazy builtins: evaluates the argument.
    public let thunk: (() throws -> Value)?

    init(spec: BuiltinSpec, receiver: Value?, values: [Value?], locations: [SourceLocation?], lengths: [Int?]? = nil,
         callLocation: SourceLocation, rest: [Value], thunk: (() throws -> Value)?) {
        self.spec = spec
        self.receiver = receiver
        self.values = values
        self.locations = locations
        self.lengths = lengths ?? [Int?](repeating: nil, count: values.count)
        self.callLocation = callLocation
        self.rest = rest
        self.thunk = thunk
    }

    private func index(_ name: String) -> Int {
        guard let i = spec.parameters.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("builtin \(spec.name) has no parameter \(name)")
        }
        return i
    }

    /// The value of parameter `name` (its default if omitted; `.none` if optional and omitted).
    public func value(_ name: String) -> Value { values[index(name)] ?? .none }

    /// True when the caller gave `name` explicitly (or it has a non-none default).
    public func has(_ name: String) -> Bool {
        if case .none = value(name) { return false }
        return true
    }

    /// An error located at argument `name` (or the call if it was omitted).
    public func error(_ name: String, _ message: String) -> ScriptError {
        let i = index(name)
        return ScriptError(message, at: locations[i] ?? callLocation, length: locations[i] == nil ? 1 : lengths[i] ?? name.count)
    }

    /// An error at the call.
    public func error(_ message: String) -> ScriptError { ScriptError(message, at: callLocation) }

    /// Number `name`, optionally checked against a range.
    public func number(_ name: String, min: Double? = nil, max: Double? = nil, exclusiveMin: Bool = false) throws -> Double {
        guard case .number(let v) = value(name) else { throw error(name, "argument '\(name)' must be a number") }
        if let min, exclusiveMin ? v <= min : v < min {
            throw error(name, "argument '\(name)' to \(spec.name) must be \(exclusiveMin ? "greater than" : "at least") \(formatNumber(min)), got \(formatNumber(v))")
        }
        if let max, v > max {
            throw error(name, "argument '\(name)' to \(spec.name) must be at most \(formatNumber(max)), got \(formatNumber(v))")
        }
        return v
    }

    /// Integer `name`, optionally checked against a range.
    public func int(_ name: String, min: Int? = nil, max: Int? = nil) throws -> Int {
        let v = try number(name)
        guard v == v.rounded(), abs(v) < 9e15 else {
            throw error(name, "argument '\(name)' to \(spec.name) must be a whole number, got \(formatNumber(v))")
        }
        let i = Int(v)
        if let min, i < min { throw error(name, "argument '\(name)' to \(spec.name) must be at least \(min), got \(i)") }
        if let max, i > max { throw error(name, "argument '\(name)' to \(spec.name) must be at most \(max), got \(i)") }
        return i
    }

    /// String `name`, optionally one of `choices`.
    public func string(_ name: String, choices: [String]? = nil) throws -> String {
        guard case .string(let s) = value(name) else { throw error(name, "argument '\(name)' must be a string") }
        if let choices, !choices.contains(s) {
            throw error(name, "argument '\(name)' to \(spec.name) must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"" + didYouMean(s, among: choices))
        }
        return s
    }

    /// Bool `name`.
    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = value(name) else { throw error(name, "argument '\(name)' must be true or false") }
        return b
    }

    /// List `name`.
    public func list(_ name: String) throws -> [Value] {
        guard case .list(let l) = value(name) else { throw error(name, "argument '\(name)' must be a list") }
        return l
    }

    /// Object `name` of type T.
    public func object<T>(_ name: String, as type: T.Type) throws -> T {
        guard case .object(let o) = value(name), let t = o as? T else {
            throw error(name, "argument '\(name)' to \(spec.name) has the wrong type")
        }
        return t
    }

    /// The receiver of a method as type T.
    public func receiver<T>(as type: T.Type) -> T {
        guard case .object(let o) = receiver, let t = o as? T else {
            preconditionFailure("method \(spec.name) called on the wrong type")
        }
        return t
    }
}
