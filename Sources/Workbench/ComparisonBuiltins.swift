// Comparing models on the same rows: `compare([m1, m2, ...])` prints one table (HR, NDCG, MRR at
// each cut-off, parameters, and the trained ones when some are frozen), and `significance(m1, m2)` tests whether the per-user NDCG differs
// (paired t-test and Wilcoxon signed-rank).

import Datasets
import Script
import Training

/// A table of models × metrics.
final class ModelTableObject: ScriptObject {
    let header: String
    let rows: [(name: String, parameters: Int?, trained: Int?, result: RankingResult)]
    init(header: String, rows: [(name: String, parameters: Int?, trained: Int?, result: RankingResult)]) {
        self.header = header
        self.rows = rows
    }
    var typeName: String { "Comparison" }
    var length: Int? { rows.count }
    var summary: String {
        let ks = rows[0].result.ks
        let nameWidth = max(5, rows.map(\.name.count).max() ?? 5)
        var columns: [String] = []
        for metric in ["HR", "NDCG", "MRR"] { for k in ks { columns.append("\(metric)@\(k)") } }
        var lines = [header, "model".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                     + columns.map { pad($0, 9) }.joined() + pad("params", 12)]
        // Transfer models freeze most of their weights: then what each trains is the point.
        let showTrained = rows.contains { $0.trained != nil && $0.trained != $0.parameters }
        if showTrained { lines[1] += pad("trained", 12) + pad("share", 8) }
        for r in rows {
            var cells: [String] = []
            for values in [r.result.hitRate, r.result.ndcg, r.result.mrr] { for v in values { cells.append(pad(fixed(v, 4), 9)) } }
            var line = r.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + cells.joined()
                + pad(r.parameters.map(groupedThousands) ?? "-", 12)
            if showTrained {
                line += pad(r.trained.map(groupedThousands) ?? "-", 12)
                if let t = r.trained, let all = r.parameters, all > 0 { line += pad(fixed(100 * Double(t) / Double(all), 1) + "%", 8) }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
    private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
}

extension Registry {
    /// Evaluates each model on the same rows (the first model's split's test rows by default).
    func evaluateAll(_ models: [ModelObject], rows: RowsObject?, ks: [Int], args: Arguments, parameter: String) throws -> (String, [RankingResult]) {
        let evalRows: Rows, part: String
        if let rows {
            evalRows = rows.rows; part = rows.part
        } else {
            guard let split = models[0].split else {
                throw args.error("rows", "\(models[0].model.name) has no split yet; give rows: split.test")
            }
            evalRows = split.split.test; part = "test"
        }
        guard evalRows.kind == .prefix else { throw args.error("rows", "\(args.spec.name) needs prefix rows, such as split.valid or split.test") }
        let dataset = models[0].dataset.dataset
        for m in models.dropFirst() where m.dataset.dataset.fingerprint != dataset.fingerprint || m.model.itemCount != models[0].model.itemCount {
            throw args.error(parameter, "\(m.model.name) ranks the \(m.model.itemCount) items of \(m.dataset.dataset.name), \(models[0].model.name) the \(models[0].model.itemCount) items of \(dataset.name); compare models of one dataset")
        }
        var results: [RankingResult] = []
        for m in models {
            do { results.append(try Evaluator.evaluate(m.model, rows: evalRows, ks: ks, width: m.width)) }
            catch is EvaluationInterrupted { throw args.error("interrupted: the comparison stopped by Ctrl-C; nothing was changed, run it again") }
            catch { throw args.error("\(error)") }
        }
        return ("\(part) of \(dataset.name): " + results[0].header, results)
    }

    func registerComparisons() {
        describeType("Comparison", "several models evaluated on the same rows, one table")
        describeType("PairedTest", "a paired significance test on per-user metrics")

        register(BuiltinSpec("significance", topic: "models", parameters: [
            Parameter("a", .object("Model"), positional: true, help: "a model"),
            Parameter("b", .object("Model"), positional: true, help: "another model of the same dataset"),
            Parameter("rows", .object("Rows"), default: Value.none, help: "rows to rank (default: the test rows of a's split)"),
            Parameter("k", .integer, default: .number(10), help: "NDCG cut-off"),
        ], help: "Paired t-test and Wilcoxon signed-rank test on per-user NDCG@k of two models.") { args, _ in
            let a = try args.object("a", as: ModelObject.self), b = try args.object("b", as: ModelObject.self)
            let rows = args.has("rows") ? try args.object("rows", as: RowsObject.self) : nil
            let k = try args.int("k", min: 1)
            let (header, results) = try self.evaluateAll([a, b], rows: rows, ks: [k], args: args, parameter: "b")
            do {
                let test = try PairedTest(results[0].rowNDCG(at: k), results[1].rowNDCG(at: k), nameA: a.model.name, nameB: b.model.name)
                return .object(TextObject("PairedTest", "per-user NDCG@\(k) on \(header)\n\(test)"))
            } catch { throw args.error("\(error)") }
        })
    }
}

/// `compare([m1, m2, ...])` for models (the run-id form `compare(a, b)` lives in RunBuiltins).
func compareModels(_ list: [Value], args: Arguments, registry: Registry, session: RunSession?) throws -> Value {
    let models = try list.map { v -> ModelObject in
        guard case .object(let m as ModelObject) = v else { throw args.error("a", "compare takes a list of models, or two run ids") }
        return m
    }
    guard !models.isEmpty else { throw args.error("a", "the list of models is empty") }
    let rows = args.has("rows") ? try args.object("rows", as: RowsObject.self) : nil
    let ks = try args.list("k").map { v -> Int in
        guard case .number(let x) = v, x >= 1, x == x.rounded(), x <= 1e6 else { throw args.error("k", "cut-offs must be whole numbers ≥ 1") }
        return Int(x)
    }
    guard !ks.isEmpty else { throw args.error("k", "give at least one cut-off") }
    let (header, results) = try registry.evaluateAll(models, rows: rows, ks: ks, args: args, parameter: "a")
    for (m, result) in zip(models, results) {
        session?.recordResults(result, source: "compare", model: m.model.name, split: rows?.part ?? "test")
    }
    return .object(ModelTableObject(header: header, rows: zip(models, results).map {
        ($0.model.name, $0.trainable?.parameterCount, $0.trainable.map { t in t.parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count } }, $1)
    }))
}
