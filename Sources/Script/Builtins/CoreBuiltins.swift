// The builtins every session has: printing, seeding, ranges, help, variables, timing, math.

import Foundation

extension Registry {
    /// The registry with every builtin of the language (core now; modules add theirs).
    public static func standard() -> Registry {
        let r = Registry()
        r.registerCore()
        r.registerMath()
        return r
    }

    func registerCore() {
        register(BuiltinSpec("print", parameters: [Parameter("values", .any, variadic: true, help: "values to print, separated by spaces")],
                             help: "Prints values (strings without quotes).") { args, interpreter in
            interpreter.output(args.rest.map(\.text).joined(separator: " "))
            return .none
        })
        register(BuiltinSpec("seed", parameters: [Parameter("value", .integer, positional: true, help: "the root seed (0 or more)")],
                             help: "Sets the root seed every random stream of the session derives from.") { args, interpreter in
            let v = try args.int("value", min: 0)
            interpreter.seed = UInt64(v)
            return .none
        })
        register(BuiltinSpec("range", parameters: [
            Parameter("a", .integer, positional: true, help: "the end (alone) or the start"),
            Parameter("b", .integer, positional: true, default: Value.none, help: "the end, exclusive"),
            Parameter("step", .integer, positional: true, default: Value.none, help: "the increment (not 0)"),
        ], help: "range(n) is [0, ..., n−1]; range(a, b, step) counts from a up to b (exclusive).") { args, interpreter in
            let a = try args.int("a")
            let (start, end) = args.has("b") ? (a, try args.int("b")) : (0, a)
            let step = args.has("step") ? try args.int("step") : 1
            guard step != 0 else { throw args.error("step", "range step must not be 0") }
            let count = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end - step - 1) / -step)
            guard count <= 10_000_000 else { throw args.error("range of \(count) numbers is too long (limit 10,000,000)") }
            try interpreter.charge(count, at: args.callLocation)
            return .list(Swift.stride(from: start, to: end, by: step).map { .number(Double($0)) })
        })
        register(BuiltinSpec("len", parameters: [Parameter("value", .any, positional: true, help: "a list, string, record or object")],
                             help: "The number of elements.") { args, _ in
            switch args.value("value") {
            case .list(let l): return .number(Double(l.count))
            case .string(let s): return .number(Double(s.count))
            case .record(let r): return .number(Double(r.keys.count))
            case .object(let o):
                if let n = o.length { return .number(Double(n)) }
                throw args.error("value", "\(o.typeName) has no length")
            case let v: throw args.error("value", "\(v.described) has no length")
            }
        })
        register(BuiltinSpec("str", parameters: [Parameter("value", .any, positional: true, help: "any value")],
                             help: "The value as text, as print shows it.") { args, _ in .string(args.value("value").text) })
        register(BuiltinSpec("type", parameters: [Parameter("value", .any, positional: true, help: "any value")],
                             help: "The name of the value's type.") { args, _ in .string(args.value("value").typeName) })
        register(BuiltinSpec("time", lazy: true, help: "Evaluates the expression, reports its wall time on stderr, returns its value.") { args, interpreter in
            let t0 = DispatchTime.now().uptimeNanoseconds
            let value = try args.thunk!()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            interpreter.diagnostics(String(format: "time: %.3f s", seconds))
            return value
        })
        register(BuiltinSpec("help", parameters: [Parameter("about", .any, positional: true, default: Value.none, help: "a builtin, a method, an object, or a topic name")],
                             help: "Lists topics, or describes a builtin, a value or a type.") { args, interpreter in
            interpreter.output(interpreter.helpText(args.value("about")))
            return .none
        })
        register(BuiltinSpec("vars", help: "Lists the variables with their types and one-line summaries.") { _, interpreter in
            let rows = interpreter.variables
            if rows.isEmpty { interpreter.output("no variables"); return .none }
            let width = rows.map(\.name.count).max()!
            let typeWidth = rows.map(\.value.typeName.count).max()!
            for (name, value) in rows {
                let pad = String(repeating: " ", count: width - name.count)
                let typePad = String(repeating: " ", count: typeWidth - value.typeName.count)
                interpreter.output("\(name)\(pad)  \(value.typeName)\(typePad)  \(value.oneLineSummary)")
            }
            return .none
        })
    }

    func registerMath() {
        func unary(_ name: String, _ help: String, domain: ((Double) -> String?)? = nil, _ f: @escaping (Double) -> Double) {
            register(BuiltinSpec(name, topic: "math", parameters: [Parameter("x", .number, positional: true, help: "a number")], help: help) { args, _ in
                let x = try args.number("x")
                if let problem = domain?(x) { throw args.error("x", "\(name): \(problem)") }
                return .number(f(x))
            })
        }
        unary("abs", "Absolute value.", Swift.abs)
        unary("sqrt", "Square root.", domain: { $0 < 0 ? "needs a number ≥ 0, got \(formatNumber($0))" : nil }, Foundation.sqrt)
        unary("exp", "e to the power x.", Foundation.exp)
        unary("log", "Natural logarithm.", domain: { $0 <= 0 ? "needs a number > 0, got \(formatNumber($0))" : nil }, Foundation.log)
        unary("floor", "Largest whole number ≤ x.", Foundation.floor)
        unary("ceil", "Smallest whole number ≥ x.", Foundation.ceil)
        unary("round", "Nearest whole number (halves away from zero).", { $0.rounded() })
        register(BuiltinSpec("pow", topic: "math", parameters: [
            Parameter("x", .number, positional: true, help: "the base"), Parameter("y", .number, positional: true, help: "the exponent"),
        ], help: "x to the power y.") { args, _ in .number(Foundation.pow(try args.number("x"), try args.number("y"))) })
        func reduce(_ name: String, _ help: String, _ f: @escaping ([Double]) -> Double, needsOne: Bool) {
            register(BuiltinSpec(name, topic: "math", parameters: [Parameter("values", .any, variadic: true, help: "numbers, or one list of numbers")],
                                 help: help) { args, _ in
                var items = args.rest
                if items.count == 1, case .list(let l) = items[0] { items = l }
                let numbers = try items.map { v -> Double in
                    guard case .number(let x) = v else { throw args.error("\(name) needs numbers, got \(v.described)") }
                    return x
                }
                if needsOne && numbers.isEmpty { throw args.error("\(name) of no numbers") }
                return .number(f(numbers))
            })
        }
        reduce("min", "The smallest of the numbers.", { $0.min()! }, needsOne: true)
        reduce("max", "The largest of the numbers.", { $0.max()! }, needsOne: true)
        reduce("sum", "The sum of the numbers.", { $0.reduce(0, +) }, needsOne: false)
        reduce("mean", "The arithmetic mean of the numbers.", { $0.reduce(0, +) / Double($0.count) }, needsOne: true)
    }
}

extension Value {
    /// One line for `vars()`.
    var oneLineSummary: String {
        switch self {
        case .object(let o): return o.oneLine
        case .list(let l) where l.count > 8: return "[" + l.prefix(8).map(\.nested).joined(separator: ", ") + ", ...] (\(l.count) items)"
        default: return nested
        }
    }
}

extension Interpreter {
    /// The text of `help(about)`, wrapped to `outputWidth`.
    func helpText(_ about: Value) -> String {
        let width = max(40, outputWidth)
        switch about {
        case .none:
            var lines = wrapped("SeqLab language. help(name) describes a builtin, help(Type) a type, help(x) a value and the members it has; help(\"naming\") how items and users are named.", width: width, indent: 0, hanging: 0) + [""]
            for (topic, functions) in registry.topics {
                lines += wrapped("\(topic): " + functions.map(\.name).joined(separator: ", "), width: width, indent: 0, hanging: 4)
            }
            let types = registry.typeNames
            if !types.isEmpty { lines += wrapped("types: " + types.joined(separator: ", "), width: width, indent: 0, hanging: 4) }
            lines.append("")
            lines += wrapped("statements: x = expr, if c { } else { }, for x in list { }, fn f(a, b) { return a }, # comment; a trailing ';' hides the value", width: width, indent: 0, hanging: 4)
            return lines.joined(separator: "\n")
        case .builtin(let spec): return spec.helpText(width: width)
        case .method(let m): return m.spec.helpText(width: width)
        case .function(let f): return "fn \(f.name)(\(f.parameters.joined(separator: ", "))): defined in this session"
        case .string(let name):
            if let text = registry.topicText[name] { return text }
            if let spec = registry.function(name) { return spec.helpText(width: width) }
            if registry.typeNames.contains(name) { return typeHelp(name, object: nil, width: width) }
            if let (topic, fs) = registry.topics.first(where: { $0.topic == name }) {
                return ([topic + ":"] + fs.flatMap { wrapped($0.signature, width: width, indent: 2, hanging: 6) + wrapped($0.help, width: width, indent: 6, hanging: 6) }).joined(separator: "\n")
            }
            return "no builtin, type or topic named \"\(name)\"" + didYouMean(name, among: registry.functionNames + registry.typeNames + registry.topicText.keys.sorted())
        case .object(let o): return o.summary + "\n\n" + typeHelp(o.typeName, object: o, width: width)
        default: return "\(about.typeName): " + about.nested
        }
    }

    /// A type's description and members, each member's signature then its help on the next lines;
    /// for an object, only the members that apply to it.
    private func typeHelp(_ type: String, object: ScriptObject?, width: Int) -> String {
        var lines: [String] = []
        if let h = registry.help(forType: type) { lines += wrapped("\(type): \(h)", width: width, indent: 0, hanging: 2) }
        let members = registry.members(of: type).filter { m in object.map { m.appliesTo?($0) ?? true } ?? true }
        if !members.isEmpty {
            lines.append("members:")
            for m in members {
                lines += wrapped(m.signature, width: width, indent: 2, hanging: 6)
                lines += wrapped(m.help, width: width, indent: 6, hanging: 6)
            }
        }
        if lines.isEmpty { lines.append("\(type): no description or members") }
        return lines.joined(separator: "\n")
    }
}
