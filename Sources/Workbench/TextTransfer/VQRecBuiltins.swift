// VQ-Rec in the language: `vqrec(data, codes:, centroids:)` fits the OPQ + PQ quantiser on the
// item text vectors of the training items ("strict", as the reference) and builds the model over
// the resulting codes, trained with `fit` like any other; `model.codes(item)` shows an item's codes.
// `model.pretrain([splits])` (registered with UniSRec's, which it shares) fits one quantiser on the
// training items of all the domains together, as the authors' `multi_pq.py` fits one index on the
// union of the pretraining domains, quantises every domain with it (so a code means the same in all
// of them), pretrains in place, and re-encodes the model's own items with it (`quantiser: "model"`
// keeps the model's quantiser instead, as SeqLab did before issue 21);
// `model.finetune(target, permutation:)` quantises the target with a quantiser of its own, fitted on
// its training items as the reference does for each downstream domain, so its codes are unrelated
// to the pretrained ones until the permutation re-assigns the code embeddings to them.

import Datasets
import Models
import Quantization
import Script
import Tensors
import Training

extension VQRecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(vqrecBuiltin)
        let vqrec: (ScriptObject) -> Bool = { ($0 as? ModelObject)?.model is VQRecRecommender }
        registry.registerMethod(modelCodes, appliesTo: vqrec)
        registry.registerMethod(modelSharedCodes, appliesTo: vqrec)
    }

    /// The builtin `vqrec`.
    private static var vqrecBuiltin: BuiltinSpec {
        BuiltinSpec("vqrec", topic: "models", parameters: transformerParameters(hidden: 300) + [
            Parameter("encoder", .string, default: .string("minilm"), help: "item text to vectors before quantisation: \"minilm\", \"tfidf\" or \"features\""),
            Parameter("columns", .list, default: Value.none, help: "item columns joined into the text (default: the title)"),
            modelDirectoryParameter,
            Parameter("width", .integer, default: .number(64), help: "tfidf: text vector dimensions"),
            Parameter("codes", .integer, default: .number(32), help: "codes per item D (sub-spaces; must divide the text vector width)"),
            Parameter("centroids", .integer, default: .number(256), help: "centroids per sub-space K (at most 256; needs at least K training items)"),
            Parameter("temperature", .number, default: .number(0.07), help: "τ of the training logits cos / τ"),
        ], help: "VQ-Rec: item text → OPQ/PQ codes fitted on the training items → mean code embeddings → SASRec encoder.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: "vqrec")
            guard t.rows == .prefix else { throw args.error("rows", "VQ-Rec trains on prefix rows (history → next item), as its reference does") }
            let (encoding, _) = try textEncoding(args, interpreter, kinds: TextEncoding.Kind.allCases, datasetParameter: "data")
            let d = try args.int("codes", min: 1, max: 4096)
            let k = try args.int("centroids", min: 2, max: 256)
            let features: FeatureMatrix
            do { features = try encoding.itemVectors(t.dataset.dataset, interpreter: interpreter) } catch {
                throw args.error("encoder", error.localizedDescriptionWithoutPrefix)
            }
            guard features.width % d == 0 else {
                throw args.error("codes", "\(d) codes do not divide the \(features.width)-d text vectors; each code reads width / codes dimensions")
            }
            let (quantizer, codes) = try quantise(features, split: t.split, codes: d, centroids: k, stream: t.seed.stream("quantizer"),
                                                  args, "centroids")
            var configuration = VQRecConfiguration(codePositions: d, codeCap: k,
                                                   temperature: Float(try args.number("temperature", min: 0, exclusiveMin: true)))
            configuration.size = t.size
            if let problem = configuration.problem { throw args.error(problem) }
            let model: VQRecRecommender
            do { model = try VQRecRecommender(configuration, codes: codes, seed: t.seed, name: t.name) } catch {
                throw args.error(error.localizedDescriptionWithoutPrefix)
            }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width)
            object.familyState = TextTransferState(encoding: encoding, quantizer: quantizer)
            return .object(object)
        }
    }

    /// The builtin `Model.codes`.
    private static var modelCodes: BuiltinSpec {
        BuiltinSpec("codes", owner: "Model", topic: "models", parameters: [
            Parameter("item", .oneOf([.integer, .string]), positional: true, help: "an item by id or title (see help(\"naming\"))"),
        ], help: "A VQ-Rec item's codes, one per sub-space (each in 0 ..< centroids).") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            guard let v = m.model as? VQRecRecommender else { throw args.error("\(m.model.name) is not a VQ-Rec model; codes(item) works on vqrec(...)") }
            let item = try m.dataset.resolveItem(args.value("item"), args, "item")
            return .list(try v.codes(item).map { .number(Double($0)) })
        }
    }

    /// The builtin `Model.sharedCodes`.
    private static var modelSharedCodes: BuiltinSpec {
        BuiltinSpec("sharedCodes", owner: "Model", topic: "models", parameters: [
            Parameter("item", .oneOf([.integer, .string]), positional: true, help: "an item by id or title (see help(\"naming\"))"),
            Parameter("k", .integer, default: .number(10), help: "how many items to list"),
        ], help: "The items of a VQ-Rec model that share the most codes (same centroid in the same sub-space) with an item; ties in id order.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            guard let v = m.model as? VQRecRecommender else { throw args.error("\(m.model.name) is not a VQ-Rec model; sharedCodes(item) works on vqrec(...)") }
            let item = try m.dataset.resolveItem(args.value("item"), args, "item")
            let k = try args.int("k", min: 1)
            let mine = try v.codes(item)
            var rows: [(item: Int, label: String, score: Double)] = []
            for other in 1...v.itemCount where other != item {
                let shared = zip(mine, try v.codes(other)).filter { $0 == $1 }.count
                if shared > 0 { rows.append((other, m.dataset.itemName(other), Double(shared))) }
            }
            // A stable sort keeps id order among equal counts.
            let top = Array(rows.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element).prefix(k))
            return .object(ItemListObject(title: "Items sharing codes with \(m.dataset.itemName(item, limit: 50)) (\(m.model.name), codes in common of \(mine.count)):",
                                          scoreName: "codes", rows: top, dataset: m.dataset, decimals: 0))
        }
    }
}

/// Fits the VQ-Rec quantiser on the vectors of the items in `split`'s training rows ("strict"; every
/// item without a split) and encodes every item; errors point at argument `parameter`.
func quantise(_ features: FeatureMatrix, split: SplitObject?, codes d: Int, centroids k: Int, stream: RandomStream,
              _ args: Arguments, _ parameter: String) throws -> (VQRecQuantizer, ItemCodes) {
    var seen = [Bool](repeating: split == nil, count: features.rows)
    if let rows = split?.split.train { for id in rows.storage where id > 0 { seen[Int(id)] = true } }
    let trainingRows = (1..<features.rows).filter { seen[$0] }.map { $0 - 1 }
    do {
        let fit = try VQRecQuantizer.fit(try itemVectors(features), trainingRows: trainingRows,
                                         options: VQRecQuantizerOptions(subspaces: d, centroids: k), stream: stream)
        return (fit.quantizer, try encode(features, with: fit.quantizer))
    } catch { throw args.error(parameter, error.localizedDescriptionWithoutPrefix) }
}

/// Every item's codes under `quantizer` (row 0 = padding).
func encode(_ features: FeatureMatrix, with quantizer: VQRecQuantizer) throws -> ItemCodes {
    let raw = try quantizer.encode(try itemVectors(features))
    let d = quantizer.subspaces
    return ItemCodes(rows: features.rows, positions: d, cap: quantizer.centroidsPerSubspace,
                     values: [Int32](repeating: 0, count: d) + raw.map { Int32($0) })
}

/// The item rows of `features` (padding row 0 dropped) as vectors to quantise.
private func itemVectors(_ features: FeatureMatrix) throws -> Vectors {
    try Vectors(rows: features.rows - 1, dimension: features.width, values: Array(features.values[features.width...]))
}

/// `model.pretrain([splits], quantiser:)` on a VQ-Rec model: every domain quantised with one
/// quantiser ("union": fitted on all the domains' training items together, as the original; "model":
/// the model's own), then VQ-Rec's InfoNCE in place over their union. With "union" the model's own
/// items are re-encoded with the union's quantiser afterwards, which becomes the model's.
func vqrecPretrain(_ args: Arguments, _ interpreter: Interpreter, _ m: ModelObject, _ base: VQRecRecommender,
                   splits: [SplitObject], options: TrainingOptions) throws -> Value {
    for unisrecOnly in ["lambda", "wordDrop"] where args.has(unisrecOnly) {
        throw args.error(unisrecOnly, "\(unisrecOnly) is a UniSRec pretraining setting; VQ-Rec pretrains with semi-synthetic negatives")
    }
    guard let encoding = m.textEncoding, let quantizer = m.quantizer else {
        throw args.error("\(m.model.name) has no quantiser; pretrain a model made by vqrec(...)")
    }
    let choice = args.has("quantiser") ? try args.string("quantiser", choices: ["union", "model"]) : "union"
    let union = choice == "union"
    return try pretrainInPlace(args, interpreter, m, base: base, splits: splits) { seed, progress in
        let vectors = try splits.map { try encoding.itemVectors($0.source.dataset, interpreter: interpreter) }
        let shared = union
            ? try unionQuantiser(vectors, splits: splits, like: quantizer, stream: seed.stream("quantizer.union"), args)
            : quantizer
        let domains = try zip(splits, vectors).map { s, v in
            try VQRecDomain(name: s.source.dataset.name, split: s.split, codes: try encode(v, with: shared))
        }
        let pretraining = try VQRecPretraining(base: base, domains: domains, seed: seed)
        let stop = try pretraining.fit(options, observer: progress)
        if union {
            base.network.recode(try encode(try encoding.itemVectors(m.dataset.dataset, interpreter: interpreter), with: shared))
            m.familyState = TextTransferState(encoding: encoding, quantizer: shared)
        }
        return (pretraining.trainer, stop)
    }
}

/// One quantiser of `model`'s D and K fitted on the training items of every domain together (each
/// domain's items that occur in its training rows, domain after domain), as the authors'
/// `multi_pq.py` fits one index on the union of the pretraining domains.
private func unionQuantiser(_ vectors: [FeatureMatrix], splits: [SplitObject], like model: VQRecQuantizer,
                            stream: RandomStream, _ args: Arguments) throws -> VQRecQuantizer {
    guard let width = vectors.first?.width, vectors.allSatisfy({ $0.width == width }) else {
        throw args.error("domains", "the domains' item vectors differ in width; encode every domain with the model's encoder")
    }
    var values: [Float] = [], trainingRows: [Int] = []
    for (features, split) in zip(vectors, splits) {
        var seen = [Bool](repeating: false, count: features.rows)
        for id in split.split.train.storage where id > 0 && Int(id) < features.rows { seen[Int(id)] = true }
        for item in 1..<features.rows where seen[item] {
            trainingRows.append(values.count / width)
            values += features.values[(item * width)..<((item + 1) * width)]
        }
    }
    do {
        let x = try Vectors(rows: values.count / width, dimension: width, values: values)
        let options = VQRecQuantizerOptions(subspaces: model.subspaces, centroids: model.centroidsPerSubspace)
        return try VQRecQuantizer.fit(x, trainingRows: trainingRows, options: options, stream: stream).quantizer
    } catch { throw args.error("domains", "fitting one quantiser on the domains' training items: \(error.localizedDescriptionWithoutPrefix)") }
}

/// `model.finetune(target, permutation:)` on a VQ-Rec model: the target quantised with its own
/// quantiser (same D and K), the code table and encoder copied, `fit` then runs both phases.
func vqrecFinetune(_ args: Arguments, _ interpreter: Interpreter, _ m: ModelObject, _ base: VQRecRecommender) throws -> Value {
    for unisrecOnly in ["mode", "freeze"] where args.has(unisrecOnly) {
        throw args.error(unisrecOnly, "\(unisrecOnly) is a UniSRec fine-tuning setting; VQ-Rec always tunes the code table with the encoder frozen")
    }
    guard let encoding = m.textEncoding else { throw args.error("\(m.model.name) has no text encoder; fine-tune the model made by vqrec(...)") }
    let (dataset, split) = try datasetOrSplit(args, "target")
    let permutation = VQRecPermutation(rawValue: args.has("permutation")
        ? try args.string("permutation", choices: VQRecPermutation.allCases.map(\.rawValue)) : "learned")!
    let reassignEpochs = args.has("reassignEpochs") ? try args.int("reassignEpochs", min: 1, max: 10_000) : 5
    for reassignmentOnly in ["reassignEpochs", "reassignLr"] where args.has(reassignmentOnly) && permutation == .none {
        throw args.error(reassignmentOnly, "permutation: \"none\" has no reassignment epochs; use \"learned\" or \"released\"")
    }
    let reassignLr = args.has("reassignLr") ? try args.number("reassignLr", min: 0, exclusiveMin: true) : 0.1
    guard reassignLr <= 100 else { throw args.error("reassignLr", "reassignLr \(formatNumber(reassignLr)) is too large to train with; try 0.1") }
    let seed = try modelSeed(args, interpreter)
    let name = try args.modelName(default: "\(m.model.name)-\(permutation.rawValue)")
    let c = base.network.configuration
    let features: FeatureMatrix
    do { features = try encoding.itemVectors(dataset.dataset, interpreter: interpreter) } catch {
        throw args.error("target", error.localizedDescriptionWithoutPrefix)
    }
    let (quantizer, codes) = try quantise(features, split: split, codes: c.codePositions, centroids: c.codeCap,
                                          stream: seed.stream("quantizer"), args, "target")
    let fineTuning = try args.rethrowing {
        try base.finetuned(codes: codes, permutation: permutation, reassignEpochs: reassignEpochs,
                                        reassignmentLearningRate: Float(reassignLr), seed: seed, name: name)
    }
    let object = ModelObject(fineTuning.model, trainer: fineTuning.trainer, dataset: dataset, split: split,
                             width: split?.split.maxLength ?? c.maxLength)
    object.familyState = TextTransferState(encoding: encoding, quantizer: quantizer)
    object.schedule = fineTuning
    return .object(object)
}
