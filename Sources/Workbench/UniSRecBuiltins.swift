// UniSRec in the language: `unisrec(data, encoder: ...)` builds the model over a dataset's item
// text, `model.pretrain([splits], ...)` pretrains its transferable parts on one or more source
// domains (in place), and `model.finetune(target, mode:, freeze:)` copies them into a new model over
// a target whose items it has never seen. Text goes through the model's encoder everywhere
// (TextEncoding.swift), so all domains share one text space.

import Datasets
import Models
import Script
import Tensors
import Training

extension Registry {
    func registerUniSRec() {
        register(BuiltinSpec("unisrec", topic: "models", parameters: transformerParameters(hidden: 300) + [
            Parameter("encoder", .string, default: .string("minilm"), help: "item text to vectors: \"minilm\", \"tfidf\" (fitted on this dataset's texts) or \"features\" (the dataset's own, e.g. .feat1CLS)"),
            Parameter("columns", .list, default: Value.none, help: "item columns joined into the text (default: the title)"),
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
            let configuration = UniSRecConfiguration(
                featureWidth: features.width, hidden: t.hidden, layers: t.layers, heads: t.heads, inner: t.inner, maxLength: t.maxLength,
                hiddenDropout: t.dropout, attentionDropout: t.attentionDropout, experts: try args.int("experts", min: 1, max: 256),
                adaptorDropout: Float(adaptorDropout),
                temperature: Float(try args.number("temperature", min: 0, exclusiveMin: true)))
            if let problem = configuration.problem { throw args.error(problem) }
            let model: UniSRecRecommender
            do {
                model = try UniSRecRecommender(configuration, features: features, mode: mode, seed: t.seed, name: t.name)
            } catch { throw args.error(error.localizedDescriptionWithoutPrefix) }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width)
            object.textEncoding = encoding
            return .object(object)
        })

        registerMethod(BuiltinSpec("pretrain", owner: "Model", topic: "models", parameters: [
            Parameter("domains", .list, positional: true, help: "splits of the source domains; batches mix them, so negatives are multi-domain"),
            Parameter("epochs", .integer, default: .number(10), help: "epochs over the union of the domains' training rows"),
            Parameter("batch", .integer, default: .number(256), help: "rows per step (the in-batch negatives)"),
            Parameter("lr", .number, default: .number(0.001), help: "learning rate (Adam)"),
            Parameter("lambda", .number, default: .number(0.001), help: "weight λ of the sequence–sequence loss in L_SI + λ·L_SS"),
            Parameter("wordDrop", .number, default: .number(0.15), help: "share of words dropped from each item text for the word-drop view (0: item drop only)"),
        ], help: "UniSRec pretraining in place: sequence–item and sequence–sequence contrastive losses over one or more domains.") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            guard let base = m.model as? UniSRecRecommender, let encoding = m.textEncoding else {
                throw args.error("\(m.model.name) is not a UniSRec model; pretrain works on unisrec(...)")
            }
            let splits = try args.list("domains").map { v -> SplitObject in
                guard case .object(let s as SplitObject) = v, s.transfer == nil else {
                    throw args.error("domains", "domains must be splits of datasets, e.g. [movies.split()]")
                }
                return s
            }
            guard !splits.isEmpty else { throw args.error("domains", "give at least one domain to pretrain on") }
            var options = TrainingOptions()
            options.epochs = try args.int("epochs", min: 1, max: 100_000)
            options.batchSize = try args.int("batch", min: 2, max: 1 << 20)
            options.learningRate = Float(try args.number("lr", min: 0, exclusiveMin: true))
            options.patience = nil
            let seed = interpreter.seed
            let wordDrop = try args.number("wordDrop", min: 0)
            guard wordDrop < 1 else { throw args.error("wordDrop", "wordDrop must be below 1 (the share of words dropped), got \(formatNumber(wordDrop))") }
            let progress = ProgressPrinter(mode: Workbench.progressMode(interpreter), label: "\(m.model.name) pretraining",
                                           session: RunSession.of(interpreter))
            let stop: FitStop
            let pretraining: UniSRecPretraining
            do {
                let domains = try splits.map { s in
                    try UniSRecDomain(name: s.source.dataset.name, split: s.split,
                                      features: try encoding.itemVectors(s.source.dataset, interpreter: interpreter),
                                      wordDropped: wordDrop > 0 ? try encoding.wordDroppedVectors(s.source.dataset, rate: wordDrop, seed: seed,
                                                                                                 interpreter: interpreter) : nil)
                }
                pretraining = try UniSRecPretraining(base: base, domains: domains, lambda: Float(try args.number("lambda", min: 0)),
                                                     seed: seed)
                stop = try pretraining.fit(options, observer: progress)
            } catch let e as ScriptError {
                progress.finish(); throw e
            } catch {
                progress.finish(); throw args.error(error.localizedDescriptionWithoutPrefix)
            }
            progress.finish()
            // The model now holds the pretrained weights; a trainer that fitted it before would put
            // its remembered best weights back on its next fit.
            m.trainer = Trainer(model: base, seed: seed)
            return .object(HistoryObject(trainer: pretraining.trainer, metric: try! ValidationMetric(parsing: "ndcg@10"), stop: stop,
                                         label: "\(m.model.name) pretraining on " + splits.map { $0.source.dataset.name }.joined(separator: ", "),
                                         patience: nil))
        })

        registerMethod(BuiltinSpec("finetune", owner: "Model", topic: "models", parameters: [
            Parameter("target", .oneOf([.object("Split"), .object("Dataset")]), positional: true, help: "the target domain (its items may be new to the model)"),
            Parameter("mode", .string, default: .string("inductive"), help: "\"inductive\" (text only) or \"transductive\" (text + new item id embeddings)"),
            Parameter("freeze", .bool, default: .bool(true), help: "keep the position table and transformer layers fixed (train the adaptor, input norm, item ids)"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation and training seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "the name in tables"),
        ], help: "A copy of this UniSRec's adaptor and encoder over a target catalogue, ready to fit (or to evaluate zero-shot).") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            guard let base = m.model as? UniSRecRecommender, let encoding = m.textEncoding else {
                throw args.error("\(m.model.name) is not a UniSRec model; finetune(model) works on unisrec(...); for NextItNet use finetune(base, task)")
            }
            let (dataset, split) = try datasetOrSplit(args, "target")
            let mode = UniSRecMode(rawValue: try args.string("mode", choices: UniSRecMode.allCases.map(\.rawValue)))!
            let freeze = try args.bool("freeze")
            let seed = args.has("seed") ? Seed(UInt64(try args.int("seed", min: 0))) : interpreter.seed
            let name = args.has("name") ? try args.string("name") : "\(m.model.name)-\(mode.rawValue)"
            guard !name.isEmpty else { throw args.error("name", "the name must not be empty") }
            let model: UniSRecRecommender
            do {
                model = try base.finetuned(features: try encoding.itemVectors(dataset.dataset, interpreter: interpreter), mode: mode,
                                           freeze: freeze, seed: seed, name: name)
            } catch let e as ScriptError { throw e } catch { throw args.error(error.localizedDescriptionWithoutPrefix) }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: seed), dataset: dataset, split: split,
                                     width: split?.split.maxLength ?? base.network.configuration.maxLength)
            object.textEncoding = encoding
            return .object(object)
        })
    }
}
