// `model.fit(split, ...)` and the training history it returns. The history prints without
// timings, so a notebook that trains replays to the same text; speed shows on stderr and in
// `seqlab bench`.

import Datasets
import Script
import Tensors
import Training

/// The epochs a model has trained, as `fit` returns them.
public final class HistoryObject: ScriptObject {
    /// Every epoch so far (over all `fit` calls).
    public let records: [EpochRecord]
    /// The metric that picked the best epoch.
    public let metric: ValidationMetric
    /// The best epoch and its value.
    public let best: (epoch: Int, value: Double)?
    /// Why the last call returned.
    public let stop: FitStop
    /// Which model.
    public let label: String
    /// Patience of the last call (for the explanation of an early stop).
    let patience: Int?

    convenience init(trainer: Trainer, metric: ValidationMetric, stop: FitStop, label: String, patience: Int?) {
        self.init(records: trainer.history, best: trainer.best, metric: metric, stop: stop, label: label, patience: patience)
    }

    /// The history of a model in the language (both phases of a VQ-Rec fine-tuning).
    convenience init(_ model: ModelObject, metric: ValidationMetric, stop: FitStop, patience: Int?) {
        self.init(records: model.history, best: model.best.map { ($0.epoch, $0.value) }, metric: metric, stop: stop,
                  label: model.model.name, patience: patience)
    }

    init(records: [EpochRecord], best: (epoch: Int, value: Double)?, metric: ValidationMetric, stop: FitStop, label: String,
         patience: Int?) {
        self.records = records
        self.metric = metric
        self.best = best
        self.stop = stop
        self.label = label
        self.patience = patience
    }

    public var typeName: String { "History" }
    public var length: Int? { records.count }

    public var summary: String {
        var lines = ["History of \(label): \(epochs(records.count))"]
        guard !records.isEmpty else {
            return lines[0] + (stop == .interrupted ? " (interrupted before the first epoch ended)" : "")
        }
        lines.append("epoch  " + pad("loss", 9) + pad("valid \(metric)", 16))
        for r in records {
            let valid = r.valid.map { fixed($0, 4) } ?? "-"
            lines.append(pad(String(r.epoch), 5) + "  " + pad(fixed(r.loss, 4), 9) + pad(valid, 16) + (r.improved ? "  *" : ""))
        }
        switch stop {
        case .completed: break
        case .earlyStopped: lines.append("stopped early: no better \(metric) for \(patience ?? 0) epochs")
        case .interrupted: lines.append("interrupted: stopped after the batch in progress")
        }
        if let best {
            lines.append("best: epoch \(best.epoch), \(metric) \(fixed(best.value, 4)); the model holds its weights")
        } else {
            lines.append("no validation rows: the model holds the last epoch's weights")
        }
        return lines.joined(separator: "\n")
    }

    public var oneLine: String {
        "history of \(label): \(epochs(records.count))" + (best.map { ", best \(metric) \(fixed($0.value, 4)) at epoch \($0.epoch)" } ?? "")
    }

    private func epochs(_ n: Int) -> String { n == 1 ? "1 epoch" : "\(n) epochs" }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}

extension Registry {
    func registerFit() {
        describeType("History", "the epochs of training: loss and validation metric per epoch, the best epoch")

        let trained: (ScriptObject) -> Bool = { ($0 as? ModelObject)?.trainer != nil }
        registerMethod(BuiltinSpec("fit", owner: "Model", topic: "models", parameters: [
            Parameter("split", .object("Split"), positional: true, help: "trains on its train rows, validates on its valid rows"),
            Parameter("epochs", .integer, default: .number(10), help: "epochs to train in this call (a later call continues; an epoch Ctrl-C stopped part-way is finished first, in addition)"),
            Parameter("batch", .integer, default: .number(128), help: "sequences per step"),
            Parameter("lr", .number, default: .number(0.001), help: "learning rate"),
            Parameter("optimizer", .string, default: .string("adam"), help: "\"adam\", \"adamw\" or \"sgd\" (momentum 0.9)"),
            Parameter("weightDecay", .number, default: .number(0), help: "L2 penalty (adam, sgd) or decoupled decay (adamw)"),
            Parameter("clip", .number, default: Value.none, help: "clip the global gradient norm to this"),
            Parameter("patience", .oneOf([.integer, .nothing]), default: .number(5), help: "stop after this many epochs without a better validation value; none never stops"),
            Parameter("validMetric", .string, default: .string("ndcg@10"), help: "picks the best epoch: ndcg@K, hr@K or mrr@K"),
        ], help: "Trains with shuffled batches, validates every epoch, stops early, keeps the best weights. Ctrl-C stops after the current batch.") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            guard let trainer = m.trainer else {
                throw args.error("\(m.model.name) is a baseline, fitted when it is made; fit trains neural models such as nextitnet(...)")
            }
            let split = try args.object("split", as: SplitObject.self)
            guard split.source.dataset.fingerprint == m.dataset.dataset.fingerprint else {
                throw args.error("split", "the split is of \(split.source.dataset.name) but \(m.model.name) was built for \(m.dataset.dataset.name); build a model from this split's dataset")
            }
            guard split.split.itemCount - 1 == m.model.itemCount else {
                throw args.error("split", "the split has \(split.split.itemCount - 1) items but \(m.model.name) ranks \(m.model.itemCount); make the model from this split's dataset")
            }
            var options = TrainingOptions()
            options.epochs = try args.int("epochs", min: 1, max: 100_000)
            options.batchSize = try args.int("batch", min: 1, max: 1 << 20)
            options.learningRate = Float(try args.number("lr", min: 0, exclusiveMin: true))
            guard options.learningRate.isFinite, options.learningRate <= 10 else {
                throw args.error("lr", "lr \(formatNumber(try args.number("lr"))) is too large to train with; try 0.001")
            }
            let kind = try args.string("optimizer", choices: OptimizerKind.allCases.map(\.rawValue))
            options.optimizer = OptimizerKind(rawValue: kind)!
            options.weightDecay = Float(try args.number("weightDecay", min: 0))
            if args.has("clip") { options.clip = Float(try args.number("clip", min: 0, exclusiveMin: true)) }
            options.patience = args.has("patience") ? try args.int("patience", min: 1) : nil
            do { options.validMetric = try ValidationMetric(parsing: try args.string("validMetric")) } catch {
                throw args.error("validMetric", "\(error)")
            }
            var recorded: [(String, String)] = [
                ("epochs", String(options.epochs)), ("batch", String(options.batchSize)),
                ("lr", formatNumber(try args.number("lr"))), ("optimizer", kind),
                ("weightDecay", formatNumber(try args.number("weightDecay"))),
                ("clip", options.clip.map { formatNumber(Double($0)) } ?? "none"),
                ("patience", options.patience.map(String.init) ?? "none"),
                ("validMetric", options.validMetric.description), ("split", split.split.protocolDescription),
            ]
            if let trainable = m.trainable { recorded += trainable.configurationEntries.filter { $0.0 != "model" }.map { ("model." + $0.0, $0.1) } }
            RunSession.of(interpreter)?.recordFit(model: m.model.name, parameters: recorded)
            let progress = ProgressPrinter(mode: Workbench.progressMode(interpreter), label: m.model.name,
                                           session: RunSession.of(interpreter))
            let stop: FitStop
            do {
                stop = try (m.schedule ?? trainer).fit(split.split, options: options, observer: progress)
            } catch let e as ScriptError {
                progress.finish(); throw e
            } catch is EvaluationInterrupted {
                // Ctrl-C during validation: the epoch's training is kept, as after a batch.
                progress.finish(); throw args.error("interrupted during validation; the model keeps its best weights")
            } catch {
                progress.finish(); throw args.error("\(error)")
            }
            progress.finish()
            m.split = split
            m.width = split.split.maxLength
            return .object(HistoryObject(m, metric: options.validMetric, stop: stop, patience: options.patience))
        }, appliesTo: trained)

        registerMethod(BuiltinSpec("history", owner: "Model", topic: "models", isProperty: true,
                                   help: "The epochs trained so far.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            guard m.trainer != nil else { throw args.error("\(m.model.name) is a baseline and has no training history") }
            return .object(HistoryObject(m, metric: m.best?.metric ?? (try! ValidationMetric(parsing: "ndcg@10")), stop: .completed,
                                         patience: nil))
        }, appliesTo: trained)
    }
}
