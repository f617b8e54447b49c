// Transfer tasks in the language. A task is a Split whose rows read a base model's item histories
// and whose targets live in the task's own label space (another domain's items, or the classes of
// a user attribute), so `fit`, `evaluate` and `compare` work on it unchanged; `classify` adds
// accuracy and macro-F1 for attribute tasks.

import Datasets
import Script
import Tensors
import Training

extension Registry {
    func registerTasks() {
        register(TaskBuiltins.attributeTask)
        register(TaskBuiltins.domainTask)
        register(TaskBuiltins.finetuneTask)
        registerMethod(TaskBuiltins.modelClassify) { ($0 as? ModelObject)?.split?.transfer?.task.kind == .classes }
    }
}

/// The builtins `registerTasks` adds.
private enum TaskBuiltins {
    /// The builtin `attributeTask`.
    static var attributeTask: BuiltinSpec {
        BuiltinSpec("attributeTask", topic: "transfer", parameters: [
            Parameter("data", .object("Dataset"), positional: true, help: "a dataset with user attributes (ml-100k, a synthetic world)"),
            Parameter("attribute", .string, positional: true, help: "the user attribute to predict, e.g. \"gender\""),
            Parameter("buckets", .oneOf([.list, .nothing]), default: Value.none, help: "numeric attributes: bucket boundaries, e.g. [18, 25, 35, 45, 50, 56] for ages"),
            Parameter("maxLength", .integer, default: .number(50), help: "each user's last items read as the history"),
            Parameter("valid", .number, default: .number(0.1), help: "share of users for validation"),
            Parameter("test", .number, default: .number(0.1), help: "share of users for testing"),
            Parameter("seed", .integer, default: .number(1), help: "seed of the user split (independent of seed())"),
        ], help: "A user-attribute classification task: history → class, users split at random.") { args, _ in
            let d = try args.object("data", as: DatasetObject.self)
            var buckets: [Double]?
            if args.has("buckets") {
                buckets = try args.list("buckets").map { v -> Double in
                    guard case .number(let x) = v else { throw args.error("buckets", "bucket boundaries are numbers") }
                    return x
                }
                if let b = buckets, zip(b, b.dropFirst()).contains(where: { $0 >= $1 }) {
                    throw args.error("buckets", "bucket boundaries must increase, got [\(b.map(formatNumber).joined(separator: ", "))]")
                }
            }
            let (valid, test) = try fractions(args)
            return try args.rethrowing {
                let labels = try UserLabelTask.make(from: d.dataset, attribute: try args.string("attribute"), bucketBoundaries: buckets,
                                                    validFraction: valid, testFraction: test,
                                                    seed: Seed(UInt64(try args.int("seed", min: 0))))
                return .object(taskSplit(try labels.transferTask(in: d.dataset, maxLength: try args.int("maxLength", min: 1)), histories: d))
            }
        }
    }

    /// The builtin `domainTask`.
    static var domainTask: BuiltinSpec {
        BuiltinSpec("domainTask", topic: "transfer", parameters: [
            Parameter("source", .object("Dataset"), positional: true, help: "the domain the base model was trained on"),
            Parameter("target", .object("Dataset"), positional: true, help: "the domain to recommend in (users matched by token)"),
            Parameter("targets", .integer, default: .number(3), help: "each user's first distinct target items, one example each"),
            Parameter("maxLength", .integer, default: .number(50), help: "each user's last source items read as the history"),
            Parameter("valid", .number, default: .number(0.1), help: "share of examples for validation"),
            Parameter("test", .number, default: .number(0.1), help: "share of examples for testing"),
            Parameter("seed", .integer, default: .number(1), help: "seed of the example split (independent of seed())"),
        ], help: "A cross-domain item task (PeterRec's ColdRec): a user's source history → their items in the target domain.") { args, _ in
            let source = try args.object("source", as: DatasetObject.self), target = try args.object("target", as: DatasetObject.self)
            let maxLength = try args.int("maxLength", min: 1)
            let (valid, test) = try fractions(args)
            return try args.rethrowing {
                let examples = try SourceTargetTask.crossDomain(source: source.dataset, target: target.dataset, maxSourceLength: maxLength,
                                                                targetsPerUser: try args.int("targets", min: 1))
                let task = try examples.transferTask(name: "\(source.dataset.name) → \(target.dataset.name)", maxLength: maxLength,
                                                     validFraction: valid, testFraction: test,
                                                     seed: Seed(UInt64(try args.int("seed", min: 0))))
                return .object(taskSplit(task, histories: source, titles: target))
            }
        }
    }

    /// The builtin `finetuneTask`.
    static var finetuneTask: BuiltinSpec {
        BuiltinSpec("finetuneTask", topic: "transfer", parameters: [
            Parameter("path", .string, positional: true, help: "a PeterRec fine-tuning file: source items,,target items per line"),
            Parameter("base", .object("Dataset"), positional: true, help: "the pretraining dataset: source tokens must be its items"),
            Parameter("pad", .oneOf([.string, .nothing]), default: Value.none, help: "a padding token in the source part to skip (the demo files use \"0\")"),
            Parameter("maxLength", .integer, default: .number(50), help: "each source's last items read as the history"),
            Parameter("valid", .number, default: .number(0.1), help: "share of examples for validation"),
            Parameter("test", .number, default: .number(0.1), help: "share of examples for testing"),
            Parameter("seed", .integer, default: .number(1), help: "seed of the example split (independent of seed())"),
        ], help: "A source→target task read from a PeterRec fine-tuning file, its sources in the base dataset's item ids.") { args, _ in
            let base = try args.object("base", as: DatasetObject.self)
            let path = try args.string("path")
            let (valid, test) = try fractions(args)
            return try args.rethrowing {
                let examples = try SessionCSV.readFineTuning(path, sourceItems: base.dataset.items,
                                                             padToken: args.has("pad") ? try args.string("pad") : nil)
                let name = String(path.split(separator: "/").last ?? Substring(path))
                let task = try examples.transferTask(name: name, maxLength: try args.int("maxLength", min: 1),
                                                     validFraction: valid, testFraction: test,
                                                     seed: Seed(UInt64(try args.int("seed", min: 0))))
                return .object(taskSplit(task, histories: base))
            }
        }
    }

    /// The builtin `Model.classify`.
    static var modelClassify: BuiltinSpec {
        BuiltinSpec("classify", owner: "Model", topic: "transfer", parameters: [
            Parameter("rows", .object("Rows"), positional: true, help: "rows of an attribute task, e.g. task.test"),
        ], help: "Accuracy and macro-F1 of a classifier (a model fitted on an attribute task): its top class against the truth.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let rows = try args.object("rows", as: RowsObject.self)
            guard let task = m.split?.transfer?.task, task.kind == .classes else {
                throw args.error("\(m.model.name) is not fitted on an attribute task; classify needs attributeTask(...) rows")
            }
            guard rows.rows.count > 0 else { throw args.error("rows", "no rows to classify") }
            let result: ClassificationResult
            do { result = try Evaluator.classify(m.model, rows: rows.rows, width: m.width) }
            catch { throw args.error("rows", "\(error)") }
            return .record(Record([("accuracy", .number((result.accuracy * 10000).rounded() / 10000)),
                                   ("macroF1", .number((result.macroF1 * 10000).rounded() / 10000)),
                                   ("rows", .number(Double(result.count)))]))
        }
    }
}

/// A task as a Split: its targets get a dataset of their own (for labels in tables and lists),
/// titled from `titles` when the targets are that dataset's items.
func taskSplit(_ task: TransferTask, histories: DatasetObject, titles: DatasetObject? = nil) -> SplitObject {
    var builder = DatasetBuilder()
    for label in task.labels.dropFirst() { _ = builder.declare(item: label) }
    var labels = builder.build(name: "\(task.name) targets")
    if let titles, let text = titles.dataset.itemText {
        labels.itemText = [""] + task.labels.dropFirst().map { token in
            titles.dataset.items.id(of: token).map { text[Int($0)] } ?? token
        }
    }
    return SplitObject(task: task, labels: DatasetObject(labels, path: nil), histories: histories)
}

/// The `valid` and `test` shares of a task, checked at their arguments: each at least 0 and together
/// below 1, so some examples are left to train on.
private func fractions(_ args: Arguments) throws -> (valid: Double, test: Double) {
    let valid = try args.number("valid", min: 0, max: 1), test = try args.number("test", min: 0, max: 1)
    guard valid + test < 1 else {
        // Point at the larger share: the one most likely mistyped.
        throw args.error(test > valid ? "test" : "valid",
                         "valid (\(formatNumber(valid))) and test (\(formatNumber(test))) shares leave nothing to train on; keep their sum below 1, e.g. 0.1 each")
    }
    return (valid, test)
}
