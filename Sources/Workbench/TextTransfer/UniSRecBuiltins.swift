// UniSRec in the language: `unisrec(data, encoder: ...)` builds the model over a dataset's item
// text, `model.pretrain([splits], ...)` pretrains its transferable parts on one or more source
// domains (in place), and `model.finetune(target, mode:, freeze:)` copies them into a new model over
// a target whose items it has never seen. Text goes through the model's encoder everywhere
// (TextEncoding.swift), so all domains share one text space. VQ-Rec models share the two methods
// (their own settings are `permutation:` and `reassignEpochs:`; VQRecBuiltins.swift).

import Datasets
import Models
import Script
import Tensors
import Training

extension UniSRecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(unisrecBuiltin)
        let textModel: (ScriptObject) -> Bool = { ($0 as? ModelObject).map { $0.model is UniSRecRecommender || $0.model is VQRecRecommender } ?? false }
        registry.registerMethod(modelPretrain, appliesTo: textModel)
        registry.registerMethod(modelFinetune, appliesTo: textModel)
    }

    /// The builtin `unisrec`.
    private static var unisrecBuiltin: BuiltinSpec {
        BuiltinSpec("unisrec", topic: "models", parameters: transformerParameters(hidden: 300) + [
            Parameter("encoder", .string, default: .string("minilm"), help: "item text to vectors: \"minilm\", \"tfidf\" (fitted on this dataset's texts) or \"features\" (the dataset's own, e.g. .feat1CLS)"),
            Parameter("columns", .list, default: Value.none, help: "item columns joined into the text (default: the title)"),
            modelDirectoryParameter,
            Parameter("width", .integer, default: .number(64), help: "tfidf: text vector dimensions"),
            Parameter("mode", .string, default: .string("inductive"), help: "\"inductive\" (text only) or \"transductive\" (text + item id embedding)"),
            Parameter("experts", .integer, default: .number(8), help: "experts of the MoE adaptor"),
            Parameter("adaptorDropout", .number, default: .number(0.2), help: "dropout on each expert's input"),
            Parameter("temperature", .number, default: .number(0.07), help: "τ of the training logits cos / τ"),
        ], help: "UniSRec: items as text through a mixture-of-experts adaptor into a SASRec encoder; transfers to unseen items.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: "unisrec")
            guard t.rows == .prefix else { throw args.error("rows", "UniSRec trains on prefix rows (history → next item), as its reference does") }
            let (encoding, _) = try textEncoding(args, interpreter, kinds: TextEncoding.Kind.allCases, datasetParameter: "data")
            let mode = UniSRecMode(rawValue: try args.string("mode", choices: UniSRecMode.allCases.map(\.rawValue)))!
            // Checked here so the error points at the argument (the configuration's check only knows the value).
            let adaptorDropout = try args.number("adaptorDropout", min: 0)
            guard adaptorDropout < 1 else { throw args.error("adaptorDropout", "adaptorDropout must be below 1, got \(formatNumber(adaptorDropout))") }
            let features: FeatureMatrix
            do { features = try encoding.itemVectors(t.dataset.dataset, interpreter: interpreter) } catch {
                throw args.error("encoder", error.localizedDescriptionWithoutPrefix)
            }
            var configuration = UniSRecConfiguration(
                featureWidth: features.width, experts: try args.int("experts", min: 1, max: 256), adaptorDropout: Float(adaptorDropout),
                temperature: Float(try args.number("temperature", min: 0, exclusiveMin: true)))
            configuration.size = t.size
            if let problem = configuration.problem { throw args.error(problem) }
            let model: UniSRecRecommender
            do {
                model = try UniSRecRecommender(configuration, features: features, mode: mode, seed: t.seed, name: t.name)
            } catch { throw args.error(error.localizedDescriptionWithoutPrefix) }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width)
            object.familyState = TextTransferState(encoding: encoding, quantizer: nil)
            return .object(object)
        }
    }

    /// The builtin `Model.pretrain`.
    private static var modelPretrain: BuiltinSpec {
        BuiltinSpec("pretrain", owner: "Model", topic: "models", parameters: [
            Parameter("domains", .list, positional: true, help: "splits of the source domains; batches mix them, so negatives are multi-domain"),
            Parameter("epochs", .integer, default: .number(10), help: "epochs over the union of the domains' training rows"),
            Parameter("batch", .integer, default: .number(256), help: "rows per step (the in-batch negatives)"),
            Parameter("lr", .number, default: .number(0.001), help: "learning rate (Adam)"),
            Parameter("lambda", .number, default: Value.none, help: "UniSRec: weight λ of the sequence–sequence loss in L_SI + λ·L_SS (default 0.001)"),
            Parameter("wordDrop", .number, default: Value.none, help: "UniSRec: share of words dropped from each item text for the word-drop view (default 0.15; 0: item drop only; with encoder: \"features\" the view is the data's .feat2CLS)"),
            Parameter("quantiser", .string, default: Value.none,
                      help: "VQ-Rec: \"union\" (the default) fits one quantiser on the training items of all the domains together, as the authors' multi_pq.py, and re-encodes the model's items with it; \"model\" keeps the model's own"),
        ], help: "Pretraining in place over one or more domains: UniSRec's sequence–item and sequence–sequence losses, or VQ-Rec's InfoNCE with semi-synthetic negatives.") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            let splits = try args.list("domains").map { v -> SplitObject in
                guard case .object(let s as SplitObject) = v, s.transfer == nil else {
                    throw args.error("domains", "domains must be splits of datasets, e.g. [movies.split()]")
                }
                return s
            }
            var options = TrainingOptions()
            options.epochs = try args.int("epochs", min: 1, max: 100_000)
            options.batchSize = try args.int("batch", min: 2, max: 1 << 20)
            options.learningRate = Float(try args.number("lr", min: 0, exclusiveMin: true))
            options.patience = nil
            if let vqrec = m.model as? VQRecRecommender {
                guard !splits.isEmpty else { throw args.error("domains", "give at least one domain to pretrain on") }
                return try vqrecPretrain(args, interpreter, m, vqrec, splits: splits, options: options)
            }
            guard let base = m.model as? UniSRecRecommender, let encoding = m.textEncoding else {
                throw args.error("\(m.model.name) is not a UniSRec or VQ-Rec model; pretrain works on unisrec(...) and vqrec(...)")
            }
            guard !splits.isEmpty else { throw args.error("domains", "give at least one domain to pretrain on") }
            if args.has("quantiser") { throw args.error("quantiser", "quantiser is a VQ-Rec pretraining setting; UniSRec has no codes") }
            let wordDrop = args.has("wordDrop") ? try args.number("wordDrop", min: 0) : 0.15
            guard wordDrop < 1 else { throw args.error("wordDrop", "wordDrop must be below 1 (the share of words dropped), got \(formatNumber(wordDrop))") }
            // Features carry no words to drop: their word-drop view is the dataset's .feat2CLS.
            if encoding.kind == .features, args.has("wordDrop"), wordDrop > 0 {
                throw args.error("wordDrop", "with encoder: \"features\" the word-drop view is each dataset's .feat2CLS, as the authors' pretraining reads it; drop wordDrop: (or give 0 for item drop only)")
            }
            let lambda = args.has("lambda") ? try args.number("lambda", min: 0) : 0.001
            return try pretrainInPlace(args, interpreter, m, base: base, splits: splits) { seed, progress in
                let domains = try splits.map { s in
                    try UniSRecDomain(name: s.source.dataset.name, split: s.split,
                                      features: try encoding.itemVectors(s.source.dataset, interpreter: interpreter),
                                      wordDropped: wordDrop > 0 ? try encoding.wordDroppedVectors(s.source.dataset, rate: wordDrop, seed: seed,
                                                                                                 interpreter: interpreter) : nil)
                }
                let pretraining = try UniSRecPretraining(base: base, domains: domains, lambda: Float(lambda), seed: seed)
                return (pretraining.trainer, try pretraining.fit(options, observer: progress))
            }
        }
    }

    /// The builtin `Model.finetune`.
    private static var modelFinetune: BuiltinSpec {
        BuiltinSpec("finetune", owner: "Model", topic: "models", parameters: [
            Parameter("target", .oneOf([.object("Split"), .object("Dataset")]), positional: true, help: "the target domain (its items may be new to the model)"),
            Parameter("mode", .string, default: Value.none, help: "UniSRec: \"inductive\" (text only, the default) or \"transductive\" (text + new item id embeddings)"),
            Parameter("freeze", .bool, default: Value.none, help: "UniSRec: keep the position table and transformer layers fixed (default true; trains the adaptor, input norm, item ids)"),
            Parameter("permutation", .string, default: Value.none, help: "VQ-Rec: re-assign the code embeddings to the target's codes first: \"learned\" (default), \"released\" (the reference's, which never moves) or \"none\""),
            Parameter("reassignEpochs", .integer, default: Value.none, help: "VQ-Rec: epochs of the first fit calls that train only the permutation (default 5)"),
            Parameter("reassignLr", .number, default: Value.none, help: "VQ-Rec: learning rate of the reassignment epochs (default 0.1: the permutation scores start as N(0, 1) and barely move at fit's rate)"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation and training seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "the name in tables"),
        ], help: "A copy of this UniSRec's adaptor and encoder, or this VQ-Rec's code table and encoder, over a target catalogue, ready to fit (or to evaluate zero-shot).") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            if let vqrec = m.model as? VQRecRecommender { return try vqrecFinetune(args, interpreter, m, vqrec) }
            guard let base = m.model as? UniSRecRecommender, let encoding = m.textEncoding else {
                throw args.error("\(m.model.name) is not a UniSRec or VQ-Rec model; finetune(model) works on unisrec(...) and vqrec(...); for NextItNet use finetune(base, task)")
            }
            for vqrecOnly in ["permutation", "reassignEpochs", "reassignLr"] where args.has(vqrecOnly) {
                throw args.error(vqrecOnly, "\(vqrecOnly) is a VQ-Rec fine-tuning setting; UniSRec takes mode: and freeze:")
            }
            let (dataset, split) = try datasetOrSplit(args, "target")
            let mode = args.has("mode") ? UniSRecMode(rawValue: try args.string("mode", choices: UniSRecMode.allCases.map(\.rawValue)))! : .inductive
            let freeze = args.has("freeze") ? try args.bool("freeze") : true
            let seed = try modelSeed(args, interpreter)
            let name = try args.modelName(default: "\(m.model.name)-\(mode.rawValue)")
            let model = try args.rethrowing {
                try base.finetuned(features: try encoding.itemVectors(dataset.dataset, interpreter: interpreter), mode: mode,
                                           freeze: freeze, seed: seed, name: name)
            }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: seed), dataset: dataset, split: split,
                                     width: split?.split.maxLength ?? base.network.configuration.maxLength)
            object.familyState = TextTransferState(encoding: encoding, quantizer: nil)
            return .object(object)
        }
    }
}

/// Runs `pretrain` (which builds the union model sharing `base`'s tensors and fits it, reporting to
/// the progress printer) and returns its history; `base` then gets a fresh trainer, since one that
/// fitted it before would put its remembered best weights back on its next fit.
func pretrainInPlace(_ args: Arguments, _ interpreter: Interpreter, _ m: ModelObject, base: TrainableRecommender,
                     splits: [SplitObject], _ pretrain: (Seed, ProgressPrinter) throws -> (Trainer, FitStop)) throws -> Value {
    let seed = Seed(interpreter.seed)
    let progress = ProgressPrinter(mode: Workbench.progressMode(interpreter), label: "\(m.model.name) pretraining",
                                   session: RunSession.of(interpreter))
    let trainer: Trainer, stop: FitStop
    do {
        (trainer, stop) = try pretrain(seed, progress)
    } catch let e as ScriptError {
        progress.finish(); throw e
    } catch {
        progress.finish(); throw args.error(error.localizedDescriptionWithoutPrefix)
    }
    progress.finish()
    m.trainer = Trainer(model: base, seed: seed)
    return .object(HistoryObject(trainer: trainer, metric: try! ValidationMetric(parsing: "ndcg@10"), stop: stop,
                                 label: "\(m.model.name) pretraining on " + splits.map { $0.source.dataset.name }.joined(separator: ", "),
                                 patience: nil))
}
