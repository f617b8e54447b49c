// Conure in the language: `c = conure(data, ...)`, then `c.learn(task, ...)` once per task (an
// ordinary split first, transfer tasks after), `c.evaluate(task)` for any task learned so far,
// `c.evaluate()` for all of them next to their value when learned, `c.masks()` for who owns which
// weights, `c.summary()`. `conure(data, mode: "finetune")` is the naive baseline on the same
// network, which trains everything on each task and so forgets the earlier ones.

import Datasets
import Models
import Plots
import Script
import Tensors
import Training

/// A Conure learner in the language, with the dataset whose items its histories are.
public final class ConureObject: ScriptObject {
    /// The learner (network, heads, masks, tasks learned).
    public let learner: ConureLearner
    /// The dataset task 1 must come from and every later task's histories use.
    public let dataset: DatasetObject

    init(_ learner: ConureLearner, dataset: DatasetObject) {
        self.learner = learner
        self.dataset = dataset
    }

    /// "Conure" for help and messages.
    public var typeName: String { "Conure" }

    /// The network and every task learned, with its metric when learned and its share of weights.
    public var summary: String {
        let c = learner.conure.configuration
        var lines = ["\(learner.strategy == .conure ? "Conure" : "Fine-tune-all baseline") \(learner.name) on \(dataset.dataset.name): "
                     + "\(c.channels) channels, kernel \(c.kernel), pre-LN blocks with dilations "
                     + c.dilations.map { "(\($0), \(2 * $0))" }.joined(separator: " ")]
        if learner.tasks.isEmpty {
            lines.append("  no task learned yet: learn(split) learns next-item prediction as task 1")
        }
        for t in learner.tasks {
            var line = "  T\(t.number) \(t.name) (\(t.kind.rawValue), \(targetsText(t))): "
                + "\(t.headlineMetric) \(fixed(t.scoreWhenLearned, 4)) when learned"
            if !t.owned.isEmpty { line += ", owns \(percent(t.owned.reduce(0, +), of: totalWeights)) of the convolution weights" }
            lines.append(line)
        }
        if learner.strategy == .conure, !learner.tasks.isEmpty {
            lines.append("  free: \(percent(learner.conure.freeCounts.reduce(0, +), of: totalWeights)) of the convolution weights")
        }
        return lines.joined(separator: "\n")
    }

    /// One line for `vars()`.
    public var oneLine: String {
        "\(learner.name) (\(learner.strategy.rawValue)) on \(dataset.dataset.name): \(learner.tasks.count) task\(learner.tasks.count == 1 ? "" : "s") learned"
    }

    /// Tasks learned so far.
    public var length: Int? { learner.tasks.count }

    /// Elements of all prunable convolution tensors together.
    var totalWeights: Int { learner.conure.convolutionWeights.reduce(0) { $0 + $1.count } }
}

/// "21.0%" of a whole.
private func percent(_ part: Int, of whole: Int) -> String { fixed(whole == 0 ? 0 : 100 * Double(part) / Double(whole), 1) + "%" }

extension ConureFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.describeType("Conure", "one network learning tasks in turn (Conure: prune, retrain, freeze per task) without forgetting")
        registry.register(conureBuiltin)
        registry.registerMethod(conureLearn)
        registry.registerMethod(conureEvaluate)
        registry.registerMethod(conureMasks)
        registry.registerMethod(conureSummary)
    }

    /// The builtin `conure`.
    private static var conureBuiltin: BuiltinSpec {
        BuiltinSpec("conure", topic: "transfer", parameters: [
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or a split of it) of task 1; later tasks' histories are its items"),
        ] + networkSizeParameters(block: "pre-LN residual block") + [
            Parameter("mode", .string, default: .string("conure"),
                      help: "\"conure\" (prune, retrain, freeze per task) or \"finetune\" (the naive baseline: everything trains on every task)"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation and training seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "how tables and the store call it"),
        ], help: "Conure (Yuan et al., SIGIR 2021): learns tasks one after another in one network by pruning and freezing weights per task.") { args, interpreter in
            let (dataset, _) = try datasetOrSplit(args, "data")
            let (channels, kernel, dilations) = try networkSizes(args)
            let mode = try args.string("mode", choices: ["conure", "finetune"])
            let seed = try modelSeed(args, interpreter)
            let name = try args.modelName(default: (mode == "conure" ? "conure" : "finetune"))
            let configuration = ConureConfiguration(items: dataset.dataset.itemCount + 1, channels: channels, kernel: kernel, dilations: dilations)
            let learner = ConureLearner(configuration, strategy: ConureStrategy(rawValue: mode)!, seed: seed, name: name)
            return .object(ConureObject(learner, dataset: dataset))
        }
    }

    /// The builtin `Conure.learn`.
    private static var conureLearn: BuiltinSpec {
        BuiltinSpec("learn", owner: "Conure", topic: "transfer", parameters: [
            Parameter("task", .object("Split"), positional: true,
                      help: "task 1: an ordinary split of the dataset; later: domainTask(...), attributeTask(...) or finetuneTask(...)"),
            Parameter("epochs", .integer, default: .number(10), help: "epochs of the training phase"),
            Parameter("prune", .number, default: Value.none, help: "share of the still-free weights to release for later tasks (default 0.7); Conure only"),
            Parameter("retrain", .integer, default: Value.none, help: "epochs retraining the kept weights (default: epochs; 0 skips); Conure only"),
            Parameter("batch", .integer, default: .number(128), help: "rows per step"),
            Parameter("lr", .number, default: .number(0.001), help: "learning rate of a fresh Adam per phase"),
            Parameter("loss", .string, default: Value.none,
                      help: "tasks 2+: \"bpr\" (LambdaFM negatives; default for items), \"bce\" (one uniform negative) or \"softmax\" (default for classes)"),
            Parameter("l2", .number, default: .number(0.02), help: "tasks 2+: λ of the head's L2 term λ/2·‖W‖²"),
            Parameter("patience", .oneOf([.integer, .nothing]), default: .number(5), help: "stop a phase after this many epochs without a better validation value; none never stops"),
            Parameter("validMetric", .string, default: Value.none, help: "picks each phase's best epoch: ndcg@K, hr@K or mrr@K (default ndcg@10; hr@1, the accuracy, for attribute tasks)"),
        ], help: "Learns the next task: trains the free weights, prunes, retrains the kept ones and freezes them. Earlier tasks never change.") { args, interpreter in
            let c = args.receiver(as: ConureObject.self)
            let split = try args.object("task", as: SplitObject.self)
            let histories = split.transfer?.histories ?? split.source
            guard histories.dataset.fingerprint == c.dataset.dataset.fingerprint else {
                throw args.error("task", "the task's histories are items of \(histories.dataset.name) but \(c.learner.name) was built for \(c.dataset.dataset.name); make the task from \(c.dataset.dataset.name)")
            }
            // As nextitnet(...) checks at the call: conure(...) has no history length, the task brings it.
            let kernel = c.learner.conure.configuration.kernel
            guard kernel <= split.split.maxLength else {
                throw args.error("task", "the kernel (\(kernel)) is longer than the longest history (\(split.split.maxLength)) of this task; build the network with a kernel of at most \(split.split.maxLength)")
            }
            var training = TrainingOptions()
            training.epochs = try args.int("epochs", min: 1, max: 100_000)
            training.batchSize = try args.int("batch", min: 1, max: 1 << 20)
            training.learningRate = Float(try args.number("lr", min: 0, max: 10, exclusiveMin: true))
            training.patience = args.has("patience") ? try args.int("patience", min: 1) : nil
            var options = ConureLearnOptions(training: training)
            if args.has("validMetric") {
                do { options.validMetric = try ValidationMetric(parsing: try args.string("validMetric")) } catch {
                    throw args.error("validMetric", "\(error)")
                }
            }
            let baseline = c.learner.strategy == .fineTuneAll
            if args.has("prune") {
                guard !baseline else { throw args.error("prune", "\(c.learner.name) is the fine-tune-everything baseline (mode: \"finetune\"); it does not prune") }
                let p = try args.number("prune")
                guard p > 0, p < 1 else {
                    throw args.error("prune", "prune is the share of the free weights released for later tasks: between 0 and 1 (exclusive), e.g. 0.7 keeps 30%; got \(formatNumber(p))")
                }
                options.prune = p
            }
            if args.has("retrain") {
                guard !baseline else { throw args.error("retrain", "\(c.learner.name) is the fine-tune-everything baseline (mode: \"finetune\"); it does not retrain") }
                options.retrainEpochs = try args.int("retrain", min: 0, max: 100_000)
            }
            if args.has("loss") {
                guard split.transfer != nil else { throw args.error("loss", "task 1 is next-item prediction with a full softmax; loss: applies to later tasks") }
                options.loss = ConureLoss(rawValue: try args.string("loss", choices: ConureLoss.allCases.map(\.rawValue)))
            }
            options.l2 = Float(try args.number("l2", min: 0, max: 100))
            var printers: [ProgressPrinter] = []
            let session = RunSession.of(interpreter)
            let mode = Workbench.progressMode(interpreter)
            let record: ConureTaskRecord
            do {
                let name = split.transfer == nil ? "next item on \(split.source.dataset.name)" : nil
                record = try c.learner.learn(split.split, task: split.transfer?.task, name: name, options: options) { phase in
                    printers.last?.finish()
                    let printer = ProgressPrinter(mode: mode, label: "\(c.learner.name).\(phase.description.replacingOccurrences(of: " ", with: "."))", session: session)
                    printers.append(printer)
                    return printer
                }
            } catch {
                printers.last?.finish()
                if let e = error as? ScriptError { throw e }
                throw args.error("\(error)")
            }
            printers.last?.finish()
            return .object(TextObject("Learned", learnReport(record, c)))
        }
    }

    /// The builtin `Conure.evaluate`.
    private static var conureEvaluate: BuiltinSpec {
        BuiltinSpec("evaluate", owner: "Conure", topic: "transfer", parameters: [
            Parameter("task", .oneOf([.object("Split"), .integer, .nothing]), positional: true, default: Value.none,
                      help: "a task learned so far (its split, or its number); none: every task in a table"),
            Parameter("k", .list, default: .list([.number(5), .number(10), .number(20)]), help: "cut-offs (ranking tasks)"),
            Parameter("rows", .string, default: .string("test"), help: "\"test\" or \"valid\""),
        ], help: "A learned task's metrics with its own masks and head: HR/NDCG/MRR, or accuracy and macro-F1 for attributes. No task: all of them, now and when learned.") { args, _ in
            let c = args.receiver(as: ConureObject.self)
            let part = try args.string("rows", choices: ["test", "valid"])
            guard !c.learner.tasks.isEmpty else { throw args.error("\(c.learner.name) has learned no task yet; call learn(split) first") }
            let number: Int
            switch args.value("task") {
            case .none:
                do { return .object(TextObject("Table", try forgettingTable(c, part: part))) } catch { throw args.error("\(error)") }
            case .number:
                number = try args.int("task", min: 1)
                guard number <= c.learner.tasks.count else {
                    throw args.error("task", "T\(number) is not learned; \(c.learner.name) has learned \(learnedList(c))")
                }
            case .object(let s as SplitObject):
                guard let t = c.learner.task(matching: s.split) else {
                    throw args.error("task", "this task is not learned by \(c.learner.name); it has learned \(learnedList(c)). Call learn(task) first")
                }
                number = t.number
            default: throw args.error("task", "give a task's split or its number")
            }
            let ks = try args.list("k").map { v -> Int in
                guard case .number(let x) = v, x >= 1, x == x.rounded(), x <= 1e6 else { throw args.error("k", "cut-offs must be whole numbers ≥ 1") }
                return Int(x)
            }
            guard !ks.isEmpty else { throw args.error("k", "give at least one cut-off") }
            let record = c.learner.tasks[number - 1]
            let rows = part == "test" ? record.split.test : record.split.valid
            guard rows.count > 0 else { throw args.error("rows", "T\(number) has no \(part) rows") }
            let model = c.learner.model(forTask: number)
            do {
                if record.kind == .classes {
                    let result = try Evaluator.classify(model, rows: rows, width: record.split.maxLength)
                    return .record(Record([("accuracy", .number((result.accuracy * 10000).rounded() / 10000)),
                                           ("macroF1", .number((result.macroF1 * 10000).rounded() / 10000)),
                                           ("rows", .number(Double(result.count)))]))
                }
                let result = try Evaluator.evaluate(model, rows: rows, ks: ks, width: record.split.maxLength)
                return .object(ResultObject(result, label: "\(c.learner.name) T\(number) (\(record.name)) on \(part)",
                                            users: rows.users.map { String($0) }))
            } catch is EvaluationInterrupted {
                throw args.error("interrupted: evaluation stopped by Ctrl-C; nothing was changed, run it again")
            } catch { throw args.error("\(error)") }
        }
    }

    /// The builtin `Conure.masks`.
    private static var conureMasks: BuiltinSpec {
        BuiltinSpec("masks", owner: "Conure", topic: "transfer", parameters: [
            Parameter("width", .integer, default: .number(72), help: "terminal width in characters"),
        ], help: "How many weights of each convolution each task owns, and how many are free, as bars.") { args, interpreter in
            let c = args.receiver(as: ConureObject.self)
            guard c.learner.strategy == .conure else {
                throw args.error("\(c.learner.name) is the fine-tune-everything baseline: it has no masks (every task trains every weight)")
            }
            let conure = c.learner.conure
            var bars: [(label: String, value: Double)] = []
            for (t, w) in conure.convolutionWeights.enumerated() {
                let layer = String(w.name.dropLast(".weight".count))
                for task in c.learner.tasks { bars.append(("\(layer) T\(task.number)", Double(conure.masks.count(tensor: t, task: task.number)))) }
                bars.append(("\(layer) free", Double(conure.masks.count(tensor: t, task: 0))))
            }
            let perTensor = conure.convolutionWeights.first?.count ?? 0
            let chart = BarChart(title: "weights per convolution owned by each task (of \(groupedThousands(perTensor)) each)", bars: bars)
            let text = chart.renderTerminal(width: try args.int("width", min: 30, max: 400))
            FigureCollector.of(interpreter)?.add(title: chart.title) { chart.renderSVG() }
            return .object(TextObject("Plot", String(text.dropLast())))
        }
    }

    /// The builtin `Conure.summary`.
    private static var conureSummary: BuiltinSpec {
        BuiltinSpec("summary", owner: "Conure", topic: "transfer",
                                   help: "The network, the tasks learned with their losses and the share of weights each owns.") { args, _ in
            let c = args.receiver(as: ConureObject.self)
            let conure = c.learner.conure
            var lines = [c.summary, "layer".padding(toLength: 26, withPad: " ", startingAt: 0) + "shape".padding(toLength: 18, withPad: " ", startingAt: 0) + "parameters"]
            for p in conure.parameters {
                let shape = "[" + p.shape.map(String.init).joined(separator: ", ") + "]"
                var note = ""
                if p.name.hasSuffix(".bias"), p.name.hasPrefix("block") { note = "  zero, never trained" }
                lines.append(p.name.padding(toLength: 26, withPad: " ", startingAt: 0) + shape.padding(toLength: 18, withPad: " ", startingAt: 0)
                             + String(repeating: " ", count: max(0, 10 - groupedThousands(p.count).count)) + groupedThousands(p.count) + note)
            }
            lines.append("total " + groupedThousands(conure.parameters.reduce(0) { $0 + $1.count }) + " parameters")
            for t in c.learner.tasks {
                var line = "T\(t.number) \(t.name): \(t.objective), trained \(t.trained.count) epoch\(t.trained.count == 1 ? "" : "s")"
                if let p = t.prune { line += ", pruned \(fixed(100 * p, 0))% of the free weights, retrained \(t.retrained.count) epoch\(t.retrained.count == 1 ? "" : "s")" }
                lines.append(line)
            }
            return .object(TextObject("Summary", lines.joined(separator: "\n")))
        }
    }
}

/// "200 items", "158 target items" or "2 classes".
private func targetsText(_ t: ConureTaskRecord) -> String {
    switch t.kind {
    case .nextItem: "\(t.targets - 1) items"
    case .items: "\(t.targets - 1) target items"
    case .classes: "\(t.targets - 1) classes"
    }
}

/// "T1 (synthetic-movies), T2 (gender)".
private func learnedList(_ c: ConureObject) -> String {
    c.learner.tasks.map { "T\($0.number) (\($0.name))" }.joined(separator: ", ")
}

/// What `learn` prints: the phases, the pruning, the test metric.
private func learnReport(_ t: ConureTaskRecord, _ c: ConureObject) -> String {
    var lines = ["\(c.learner.name) learned T\(t.number) \(t.name) (\(t.kind.rawValue), \(targetsText(t))) with \(t.objective)"]
    func phase(_ label: String, _ records: [EpochRecord]) -> String {
        guard let last = records.last else { return "  \(label): skipped" }
        var line = "  \(label): \(records.count) epoch\(records.count == 1 ? "" : "s"), last loss \(fixed(last.loss, 4))"
        if let best = records.filter({ $0.valid != nil }).max(by: { $0.valid! < $1.valid! || ($0.valid! == $1.valid! && $0.epoch > $1.epoch) }) {
            line += ", best valid \(fixed(best.valid!, 4)) at epoch \(best.epoch) (kept)"
        }
        return line
    }
    if let p = t.prune {
        lines.append(phase("train-and-prune", t.trained))
        let total = c.totalWeights
        lines.append("  pruned \(fixed(100 * p, 0))% of the free weights: T\(t.number) keeps \(percent(t.owned.reduce(0, +), of: total)) of the convolution weights, "
                     + "\(percent(c.learner.conure.freeCounts.reduce(0, +), of: total)) stay free")
        lines.append(phase("retrain", t.retrained))
    } else {
        lines.append(phase("fine-tune-all", t.trained))
    }
    lines.append("  test \(t.headlineMetric) \(fixed(t.scoreWhenLearned, 4))")
    return lines.joined(separator: "\n")
}

/// Every learned task's headline metric now and when it was learned.
private func forgettingTable(_ c: ConureObject, part: String) throws -> String {
    let header = c.learner.strategy == .conure
        ? "\(c.learner.name): each task on its \(part) rows with its own masks (W ⊙ (M1 + … + Mj)) and head"
        : "\(c.learner.name) (fine-tune-all): each task on its \(part) rows with its own head on the current weights"
    var rows = [["task", "name", "metric", "learned", "now", "change"]]
    for t in c.learner.tasks {
        let now = try c.learner.headline(task: t.number, rows: part == "test" ? t.split.test : t.split.valid)
        let learned = part == "test" ? fixed(t.scoreWhenLearned, 4) : "-"
        let change = part == "test" ? (now - t.scoreWhenLearned >= 0 ? "+" : "") + fixed(now - t.scoreWhenLearned, 4) : "-"
        rows.append(["T\(t.number)", shorten(t.name, 36), t.headlineMetric, learned, fixed(now, 4), change])
    }
    let widths = (0..<rows[0].count).map { col in rows.map { $0[col].count }.max()! }
    let lines = rows.map { row in
        row.enumerated().map { col, cell in
            col < 3 ? cell.padding(toLength: widths[col], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[col] - cell.count) + cell
        }.joined(separator: "  ")
    }
    return ([header] + lines).joined(separator: "\n")
}
