// The run builtins: `runs()` and `run(id)` read the store; `metric(name, value, step:)` writes a metric
// of the current run (training adds its own per-epoch metrics the same way).

import Script
import Store

/// A table of runs, printed as the store renders it.
final class RunTableObject: ScriptObject {
    let runs: [Run]
    init(_ runs: [Run]) { self.runs = runs }
    var typeName: String { "Runs" }
    var summary: String { runs.isEmpty ? "no runs yet" : RunText.table(runs) }
    var oneLine: String { "\(runs.count) runs" }
    var length: Int? { runs.count }
}

/// One run with its parameters, datasets, artifacts and metrics.
final class RunObject: ScriptObject {
    let detail: RunDetail
    init(_ detail: RunDetail) { self.detail = detail }
    var typeName: String { "Run" }
    var summary: String { RunText.detail(detail) }
    var oneLine: String { "run \(detail.run.id) (\(detail.run.status.rawValue))" }
}

extension Registry {
    func registerRuns() {
        describeType("Runs", "recent runs from the store")
        describeType("Run", "one run: script hash, seed, threads, machine, parameters, datasets, metrics")

        func session(_ args: Arguments, _ interpreter: Interpreter) throws -> RunSession {
            guard let s = RunSession.of(interpreter) else {
                throw args.error("no run store is open in this session (start seqlab with --store PATH)")
            }
            return s
        }
        register(BuiltinSpec("runs", topic: "runs", parameters: [
            Parameter("limit", .integer, default: .number(20), help: "how many recent runs"),
        ], help: "Recent runs from the store, newest first.") { args, interpreter in
            let s = try session(args, interpreter)
            return try args.rethrowing { .object(RunTableObject(try s.store.runs(limit: try args.int("limit", min: 1)))) }
        })
        register(BuiltinSpec("run", topic: "runs", parameters: [
            Parameter("id", .integer, positional: true, help: "the run's id, as runs() lists it"),
        ], help: "One run from the store, in detail.") { args, interpreter in
            let s = try session(args, interpreter)
            let id = try args.int("id", min: 1)
            do { return .object(RunObject(try s.store.run(Int64(id)))) }
            catch { throw args.error("id", "\(error)") }
        })
        register(BuiltinSpec("compare", topic: "runs", parameters: [
            Parameter("a", .oneOf([.integer, .list]), positional: true, help: "a list of models, a list of run ids, or a run id"),
            Parameter("b", .integer, positional: true, default: Value.none, help: "another run id (when a is a run id)"),
            Parameter("rows", .object("Rows"), default: Value.none, help: "models: rows to rank (default: the first model's test rows)"),
            Parameter("k", .list, default: .list([.number(5), .number(10), .number(20)]), help: "models: cut-offs"),
        ], help: "compare([m1, m2, ...]): models on the same rows in one table. compare([id1, id2, ...]) or compare(a, b): runs side by side; ≠ marks differences.") { args, interpreter in
            var ids: [Int] = []
            if case .list(let list) = args.value("a") {
                let numbers = list.compactMap { v -> Double? in if case .number(let x) = v { return x }; return nil }
                guard !list.isEmpty, numbers.count == list.count else {
                    return try compareModels(list, args: args, registry: self, session: RunSession.of(interpreter))
                }
                guard numbers.allSatisfy({ $0 >= 1 && $0 == $0.rounded() && $0 < 1e15 }) else { throw args.error("a", "run ids are whole numbers from 1, as runs() lists them") }
                guard numbers.count >= 2 else { throw args.error("a", "give at least two run ids to compare") }
                ids = numbers.map { Int($0) }
            } else {
                guard args.has("b") else { throw args.error("b", "compare runs: compare(a, b) with two run ids, or compare([a, b, c])") }
                ids = [try args.int("a", min: 1), try args.int("b", min: 1)]
            }
            let s = try session(args, interpreter)
            let details = try ids.map { id -> RunDetail in
                do { return try s.store.run(Int64(id)) } catch { throw args.error(args.has("b") && id == ids[1] ? "b" : "a", "\(error)") }
            }
            return .object(RunComparisonObject(details))
        })
        register(BuiltinSpec("metric", topic: "runs", parameters: [
            Parameter("name", .string, positional: true, help: "the metric's name"),
            Parameter("value", .number, positional: true, help: "its value"),
            Parameter("step", .integer, default: .number(0), help: "the step (epoch, iteration) it belongs to"),
        ], help: "Records a metric of the current run in the store.") { args, interpreter in
            let s = try session(args, interpreter)
            try args.rethrowing {
                try s.store.logMetrics(s.runID, [MetricPoint(step: try args.int("step", min: 0), name: try args.string("name"),
                                                             value: try args.number("value"))])
            }
            return .none
        })
    }
}
