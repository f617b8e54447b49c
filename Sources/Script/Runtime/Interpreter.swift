// The tree-walking interpreter.
//
// Statements run one at a time so front ends (REPL, notebook runner) can attach output to each.
// Output goes through `output`, never straight to stdout, so notebooks can capture it per
// statement; progress bars and timings go to stderr and are never recorded.

import Foundation
import Support

/// Variables of one scope; function calls get a child of the scope they were defined in.
final class Scope {
    var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? { variables[name] ?? parent?.lookup(name) }

    /// Every visible name (for suggestions).
    var allNames: [String] { Array(variables.keys) + (parent?.allNames ?? []) }
}

/// `return` unwinds to the function call.
private struct ReturnSignal: Error { let value: Value }

/// Runs SeqLab statements.
public final class Interpreter {
    /// The builtins and methods.
    public let registry: Registry
    /// Receives everything a statement shows (auto-printed values, `print`).
    public var output: (String) -> Void
    /// Receives timing and progress lines (stderr in the CLI; never recorded).
    public var diagnostics: (String) -> Void
    /// The run's root seed; `seed(n)` sets it. Builtins derive named streams from it (a plain number,
    /// so the language does not depend on the tensor engine's random streams).
    public var seed: UInt64 = 0
    /// Columns `help` wraps its text to: the terminal's width in the REPL, 80 in scripts and notebooks
    /// (so recorded help does not depend on the window).
    public var outputWidth = 80
    /// Shared state that library modules attach (the run store, the current run id...).
    public var extensions: [String: AnyObject] = [:]
    /// The most work one run may do, in steps (nil: no limit). A step is one statement, one expression
    /// or one loop iteration; building a list, record or string also costs one step per element or byte,
    /// so memory stays bounded with time. For running untrusted or generated scripts (the fuzzer);
    /// exceeding it stops the run with an error at the statement or expression that did.
    public var stepLimit: Int?
    /// Steps taken so far (counted only while `stepLimit` is set).
    public private(set) var steps = 0
    let globals = Scope(parent: nil)
    private var depth = 0
    /// Nesting of `evaluate` calls, across function calls: bounded so deep expressions inside deep
    /// recursion cannot overflow the native stack (the parser bounds each expression on its own).
    private var evaluationDepth = 0
    /// Deepest evaluation nesting allowed. A release build overflowed the 8 MB main stack at about
    /// 26,000 levels (320 bytes each); debug and AddressSanitizer frames are several times larger.
    /// So an operator chain longer than this (the parser admits 5,000) stops with an error, as do
    /// deep recursive calls each inside a long chain.
    static let maximumEvaluationDepth = 3_000

    /// An interpreter over `registry`, writing to stdout and stderr unless redirected.
    public init(registry: Registry,
                output: @escaping (String) -> Void = { print($0) },
                diagnostics: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.registry = registry
        self.output = output
        self.diagnostics = diagnostics
    }

    /// The global variables, sorted by name.
    public var variables: [(name: String, value: Value)] {
        globals.variables.keys.sorted().map { ($0, globals.variables[$0]!) }
    }

    /// Sets a global variable.
    public func define(_ name: String, _ value: Value) { globals.variables[name] = value }

    /// Runs one top-level statement, showing its value if it has one to show.
    public func execute(_ statement: Statement) throws {
        if let value = try run(statement, in: globals), !statement.silent { show(value) }
    }

    /// Shows a value as the REPL does.
    public func show(_ value: Value) { output(value.display) }

    // MARK: - Statements

    /// Runs a statement; returns the value to auto-print, if any.
    private func run(_ statement: Statement, in scope: Scope) throws -> Value? {
        try charge(1, at: statement.location)
        switch statement.kind {
        case .assign(let name, let e):
            if registry.function(name) != nil {
                throw ScriptError("'\(name)' is a builtin and cannot be reassigned; choose another name", at: statement.location, length: name.count)
            }
            let value = try evaluate(e, scope)
            scope.variables[name] = value
            // Assigning an object shows its summary (loading a dataset shows what was loaded).
            if case .object = value { return value }
            return nil
        case .expression(let e):
            let value = try evaluate(e, scope)
            if case .none = value { return nil }
            return value
        case .ifElse(let condition, let then, let otherwise):
            let c = try evaluate(condition, scope)
            guard case .bool(let b) = c else {
                throw ScriptError("condition must be true or false, got \(c.described)", at: condition.location, length: condition.length)
            }
            try runBlock(b ? then : (otherwise ?? []), scope)
            return nil
        case .forIn(let name, let sequenceExpression, let body):
            if registry.function(name) != nil {
                throw ScriptError("'\(name)' is a builtin; choose another loop variable", at: statement.location, length: name.count)
            }
            let sequence = try evaluate(sequenceExpression, scope)
            let items: [Value]
            switch sequence {
            case .list(let l): items = l
            case .string(let s): items = s.map { .string(String($0)) }
            case .record(let r): items = r.keys.map { .string($0) }
            default:
                throw ScriptError("cannot loop over \(sequence.described); use a list, a string, a record or range(n)",
                                  at: sequenceExpression.location, length: sequenceExpression.length)
            }
            for item in items {
                if Cancellation.isRequested { throw ScriptError("interrupted", at: statement.location) }
                try charge(1, at: statement.location)
                scope.variables[name] = item
                try runBlock(body, scope)
            }
            return nil
        case .function(let name, let parameters, let body):
            if registry.function(name) != nil {
                throw ScriptError("'\(name)' is a builtin; choose another function name", at: statement.location, length: name.count)
            }
            if let p = parameters.first(where: { registry.function($0) != nil }) {
                throw ScriptError("parameter '\(p)' of \(name) would hide the builtin \(p); rename it", at: statement.location, length: 2)
            }
            scope.variables[name] = .function(UserFunction(name: name, parameters: parameters, body: body, closure: scope))
            return nil
        case .return(let e):
            guard depth > 0 else { throw ScriptError("'return' outside a function", at: statement.location, length: 6) }
            throw ReturnSignal(value: try e.map { try evaluate($0, scope) } ?? .none)
        }
    }

    private func runBlock(_ statements: [Statement], _ scope: Scope) throws {
        for s in statements {
            if let value = try run(s, in: scope), !s.silent, case .expression = s.kind { show(value) }
        }
    }

    // MARK: - Expressions

    /// Evaluates an expression in the global scope (used by tests and the REPL).
    public func evaluate(_ e: Expression) throws -> Value { try evaluate(e, globals) }

    func evaluate(_ e: Expression, _ scope: Scope) throws -> Value {
        try charge(1, at: e.location)
        guard evaluationDepth < Self.maximumEvaluationDepth else {
            throw ScriptError("expressions nested deeper than \(Self.maximumEvaluationDepth) levels through function calls; "
                              + "split long expressions into steps or recurse less deeply", at: e.location, length: e.length)
        }
        evaluationDepth += 1
        defer { evaluationDepth -= 1 }
        switch e.kind {
        case .number(let v): return .number(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .variable(let name):
            if let v = scope.lookup(name) { return v }
            if let f = registry.function(name) { return .builtin(f) }
            throw ScriptError("unknown name '\(name)'" + didYouMean(name, among: scope.allNames + registry.functionNames),
                              at: e.location, length: e.length)
        case .list(let items):
            let values = try items.map { try evaluate($0, scope) }
            try chargeSize(of: values, at: e)
            return .list(values)
        case .record(let fields):
            let values = try fields.map { ($0.key, try evaluate($0.value, scope)) }
            try chargeSize(of: values.map(\.1), at: e)
            return .record(Record(values))
        case .unary(_, let operand):
            let v = try evaluate(operand, scope)
            guard case .number(let x) = v else {
                throw ScriptError("cannot negate \(v.described)", at: e.location, length: 1)
            }
            return .number(-x)
        case .not(let operand):
            let v = try evaluate(operand, scope)
            guard case .bool(let b) = v else { throw ScriptError("'not' needs true or false, got \(v.described)", at: e.location, length: 3) }
            return .bool(!b)
        case .logical(let isAnd, let left, let right):
            let l = try evaluate(left, scope)
            guard case .bool(let a) = l else {
                throw ScriptError("'\(isAnd ? "and" : "or")' needs true or false, got \(l.described)", at: left.location, length: left.length)
            }
            if isAnd && !a { return .bool(false) }
            if !isAnd && a { return .bool(true) }
            let r = try evaluate(right, scope)
            guard case .bool(let b) = r else {
                throw ScriptError("'\(isAnd ? "and" : "or")' needs true or false, got \(r.described)", at: right.location, length: right.length)
            }
            return .bool(b)
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left, scope), try evaluate(right, scope), e)
        case .call(let callee, let arguments):
            return try call(callee, arguments, scope, e)
        case .member(let target, let name):
            return try member(try evaluate(target, scope), name, e)
        case .index(let target, let indexExpression):
            return try index(try evaluate(target, scope), try evaluate(indexExpression, scope), e)
        }
    }

    private func binary(_ op: Symbol, _ a: Value, _ b: Value, _ e: Expression) throws -> Value {
        func fail() -> ScriptError {
            ScriptError("cannot apply '\(op.rawValue)' to \(a.described) and \(b.described)", at: e.location, length: e.length)
        }
        switch op {
        case .equal: return .bool(a == b)
        case .notEqual: return .bool(a != b)
        default: break
        }
        switch (a, b) {
        case let (.number(x), .number(y)):
            switch op {
            case .plus: return .number(x + y)
            case .minus: return .number(x - y)
            case .star: return .number(x * y)
            case .slash:
                guard y != 0 else { throw ScriptError("division by zero", at: e.location) }
                return .number(x / y)
            case .percent:
                guard y != 0 else { throw ScriptError("remainder by zero", at: e.location) }
                return .number(x - y * (x / y).rounded(.down))
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            default: throw fail()
            }
        case let (.string(x), .string(y)):
            switch op {
            case .plus:
                try charge(x.utf8.count + y.utf8.count, at: e.location)
                return .string(x + y)
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            default: throw fail()
            }
        case let (.list(x), .list(y)) where op == .plus:
            try chargeSize(of: x, at: e)
            try chargeSize(of: y, at: e)
            return .list(x + y)
        case (.string, _) where op == .plus, (_, .string) where op == .plus:
            throw ScriptError("cannot add \(a.described) and \(b.described); convert with str(x) first", at: e.location)
        default: throw fail()
        }
    }

    private func member(_ target: Value, _ name: String, _ e: Expression) throws -> Value {
        if case .record(let r) = target {
            if let v = r[name] { return v }
            throw ScriptError("record has no field '\(name)'" + didYouMean(name, among: r.keys) , at: e.location, length: e.length)
        }
        let type = target.typeName
        guard let spec = registry.member(name, of: type) else {
            let names = registry.memberNames(of: type)
            let known = names.isEmpty ? "" : "; \(type) members: \(names.joined(separator: ", "))"
            let hint = didYouMean(name, among: names)
            throw ScriptError("\(type) has no member '\(name)'" + (hint.isEmpty ? known : hint), at: e.location, length: e.length)
        }
        if spec.isProperty {
            return try invoke(spec, receiver: target, arguments: [], scope: globals, at: e)
        }
        return .method(BoundMethod(receiver: target, spec: spec))
    }

    private func index(_ target: Value, _ key: Value, _ e: Expression) throws -> Value {
        switch (target, key) {
        case let (.list(items), .number(v)):
            return items[try position(v, count: items.count, e)]
        case let (.string(s), .number(v)):
            let chars = Array(s)
            return .string(String(chars[try position(v, count: chars.count, e)]))
        case let (.record(r), .string(k)):
            guard let v = r[k] else {
                throw ScriptError("record has no field \"\(k)\"" + didYouMean(k, among: r.keys), at: e.location, length: e.length)
            }
            return v
        default:
            throw ScriptError("cannot index \(target.described) with \(key.described)", at: e.location, length: e.length)
        }
    }

    private func position(_ v: Double, count: Int, _ e: Expression) throws -> Int {
        guard v == v.rounded(), abs(v) < 9e15 else {
            throw ScriptError("index must be a whole number, got \(formatNumber(v))", at: e.location, length: e.length)
        }
        let i = Int(v) < 0 ? count + Int(v) : Int(v)
        guard i >= 0 && i < count else {
            throw ScriptError("index \(Int(v)) is out of range for \(count) element\(count == 1 ? "" : "s")", at: e.location, length: e.length)
        }
        return i
    }

    // MARK: - Limits

    /// Counts `n` steps of work against `stepLimit`, failing at `location` once it is used up.
    /// Builtins that build large values charge for them too (as `range` does).
    public func charge(_ n: Int, at location: SourceLocation) throws {
        guard let limit = stepLimit else { return }
        steps += n
        guard steps <= limit else {
            throw ScriptError("step limit of \(limit) reached: the script does more work than this session allows "
                              + "(long loops, large ranges or lists); make it smaller", at: location)
        }
    }

    /// Charges the size of values about to be put into a new list or record: one step per element,
    /// counted through nested lists and records (shared ones once per use, as printing would see
    /// them) and one per byte of strings, so `a = [a, a]` repeated cannot build an exponential value.
    private func chargeSize(of values: [Value], at e: Expression) throws {
        guard let limit = stepLimit else { return }
        var remaining = max(0, limit - steps) + 1
        func visit(_ v: Value) {
            guard remaining > 0 else { return }
            remaining -= 1
            switch v {
            case .string(let s): remaining -= s.utf8.count
            case .list(let items): for item in items where remaining > 0 { visit(item) }
            case .record(let r): for (_, value) in r.fields where remaining > 0 { visit(value) }
            default: break
            }
        }
        let budget = remaining
        for v in values where remaining > 0 { visit(v) }
        try charge(budget - max(0, remaining), at: e.location)
    }

    // MARK: - Calls

    private func call(_ callee: Expression, _ arguments: [CallArgument], _ scope: Scope, _ e: Expression) throws -> Value {
        let f = try evaluate(callee, scope)
        switch f {
        case .builtin(let spec):
            return try invoke(spec, receiver: nil, arguments: arguments, scope: scope, at: e)
        case .method(let m):
            return try invoke(m.spec, receiver: m.receiver, arguments: arguments, scope: scope, at: e)
        case .function(let fn):
            if let labelled = arguments.first(where: { $0.label != nil }) {
                throw ScriptError("\(fn.name) takes positional arguments only; remove the label '\(labelled.label!)'",
                                  at: labelled.location, length: labelled.label!.count)
            }
            guard arguments.count == fn.parameters.count else {
                throw ScriptError("\(fn.name) takes \(fn.parameters.count) argument\(fn.parameters.count == 1 ? "" : "s"), got \(arguments.count)",
                                  at: e.location, length: e.length)
            }
            let values = try arguments.map { try evaluate($0.value, scope) }
            return try callFunction(fn, values, at: e)
        default:
            throw ScriptError("\(f.described) is not a function", at: callee.location, length: callee.length)
        }
    }

    /// Calls a user function with values (also used by builtins that take a function).
    public func callFunction(_ fn: UserFunction, _ values: [Value], at e: Expression? = nil) throws -> Value {
        guard depth < 200 else {
            throw ScriptError("recursion deeper than 200 calls in \(fn.name)", at: e?.location ?? SourceLocation(line: 1, column: 1))
        }
        if Cancellation.isRequested { throw ScriptError("interrupted", at: e?.location ?? SourceLocation(line: 1, column: 1)) }
        let local = Scope(parent: fn.closure)
        for (p, v) in zip(fn.parameters, values) { local.variables[p] = v }
        depth += 1
        defer { depth -= 1 }
        do {
            for s in fn.body {
                if let value = try run(s, in: local), !s.silent, case .expression = s.kind { show(value) }
            }
        } catch let r as ReturnSignal {
            return r.value
        }
        return .none
    }

    /// Calls a builtin's body; Ctrl-C inside it (`Interrupted`, thrown by encoding and other long
    /// loops) becomes one script error at the call instead of an internal error.
    private func callBody(_ spec: BuiltinSpec, _ args: Arguments, at e: Expression) throws -> Value {
        do { return try spec.body(args, self) } catch let stop as Interrupted {
            throw ScriptError(stop.description, at: e.location, length: e.length)
        }
    }

    /// `help(Comparison)`: a type's name is not a value, so as help's argument a bare name that is no
    /// variable or builtin but a type or topic reads as that name.
    private func helpTopic(_ spec: BuiltinSpec, _ argument: CallArgument, _ scope: Scope) -> Value? {
        guard spec.name == "help", spec.ownerType == nil, argument.label == nil,
              case .variable(let name) = argument.value.kind, scope.lookup(name) == nil, registry.function(name) == nil,
              registry.typeNames.contains(name) || registry.topics.contains(where: { $0.topic == name }) else { return nil }
        return .string(name)
    }

    /// Binds arguments to a builtin's parameters, checks them, and calls it.
    private func invoke(_ spec: BuiltinSpec, receiver: Value?, arguments: [CallArgument],
                        scope: Scope, at e: Expression) throws -> Value {
        let what = spec.ownerType == nil ? spec.name : "\(spec.ownerType!).\(spec.name)"
        if spec.lazy {
            guard arguments.count == 1, arguments[0].label == nil else {
                throw ScriptError("\(spec.name) takes exactly one expression", at: e.location, length: e.length)
            }
            let argument = arguments[0].value
            let args = Arguments(spec: spec, receiver: receiver, values: [], locations: [], callLocation: e.location,
                                 rest: [], thunk: { [unowned self] in try self.evaluate(argument, scope) })
            return try callBody(spec, args, at: e)
        }
        var values = [Value?](repeating: nil, count: spec.parameters.count)
        var locations = [SourceLocation?](repeating: nil, count: spec.parameters.count)
        var lengths = [Int?](repeating: nil, count: spec.parameters.count)
        var rest: [Value] = []
        let positional = spec.parameters.indices.filter { spec.parameters[$0].positional }
        var nextPositional = 0
        for argument in arguments {
            let value = try helpTopic(spec, argument, scope) ?? evaluate(argument.value, scope)
            let slot: Int
            if let label = argument.label {
                guard let i = spec.parameters.firstIndex(where: { $0.name == label }) else {
                    let labels = spec.parameters.filter { !$0.variadic }.map(\.name)
                    throw ScriptError("unknown argument '\(label)' to \(what)" + didYouMean(label, among: labels),
                                      at: argument.location, length: label.count)
                }
                slot = i
            } else {
                if nextPositional < positional.count {
                    slot = positional[nextPositional]
                    if !spec.parameters[slot].variadic { nextPositional += 1 }
                } else {
                    let labels = spec.parameters.filter { !$0.positional }.map { "\($0.name):" }
                    throw ScriptError("\(what) takes \(positional.count) positional argument\(positional.count == 1 ? "" : "s")"
                                      + (labels.isEmpty ? "" : "; label the others (\(labels.joined(separator: ", ")))"),
                                      at: argument.location, length: argument.value.length)
                }
            }
            let p = spec.parameters[slot]
            let optionalNone: Bool = { if case .none = value, case .none? = p.defaultValue { return true }; return false }()
            guard p.type.accepts(value) || optionalNone else {
                throw ScriptError("argument '\(p.name)' to \(what) expects \(p.type.name), got \(value.described)",
                                  at: argument.location, length: argument.label?.count ?? argument.value.length)
            }
            if p.variadic {
                rest.append(value)
                continue
            }
            if values[slot] != nil {
                throw ScriptError("argument '\(p.name)' given twice", at: argument.location, length: p.name.count)
            }
            values[slot] = value
            locations[slot] = argument.location
            // The whole argument (label and value) is underlined when it sits on one line.
            let v = argument.value
            lengths[slot] = v.location.line == argument.location.line
                ? max(1, v.location.column + v.length - argument.location.column) : argument.label?.count ?? v.length
        }
        for (i, p) in spec.parameters.enumerated() where values[i] == nil && !p.variadic {
            guard let d = p.defaultValue else {
                throw ScriptError("missing argument '\(p.name)' to \(what): \(p.help)", at: e.location, length: e.length)
            }
            values[i] = d
        }
        let args = Arguments(spec: spec, receiver: receiver, values: values, locations: locations, lengths: lengths,
                             callLocation: e.location, rest: rest, thunk: nil)
        return try callBody(spec, args, at: e)
    }
}
