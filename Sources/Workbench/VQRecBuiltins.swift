// VQ-Rec in the language, the part that stands on its own: `vqrec(data, codes:, centroids:)` fits
// the OPQ + PQ quantiser on the item text vectors of the training items ("strict", as the reference)
// and builds the model over the resulting codes, trained with `fit` like any other; `model.codes(item)`
// shows an item's codes. Pretraining and the permutation fine-tuning are in the library
// (VQRecPretraining, VQRecFineTuning) and not yet in the language.

import Datasets
import Models
import Quantization
import Script
import Tensors
import Training

extension Registry {
    func registerVQRec() {
        register(BuiltinSpec("vqrec", topic: "models", parameters: transformerParameters(hidden: 300) + [
            Parameter("encoder", .string, default: .string("minilm"), help: "item text to vectors before quantisation: \"minilm\", \"tfidf\" or \"features\""),
            Parameter("columns", .list, default: Value.none, help: "item columns joined into the text (default: the title)"),
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
            // "strict": the quantiser sees only items of the training rows (all items without a split).
            var seen = [Bool](repeating: t.split == nil, count: features.rows)
            if let rows = t.split?.split.train { for id in rows.storage where id > 0 { seen[Int(id)] = true } }
            let trainingRows = (1..<features.rows).filter { seen[$0] }.map { $0 - 1 }
            let codes: ItemCodes
            do {
                let x = try Vectors(rows: features.rows - 1, dimension: features.width, values: Array(features.values[features.width...]))
                let fit = try VQRecQuantizer.fit(x, trainingRows: trainingRows, options: VQRecQuantizerOptions(subspaces: d, centroids: k),
                                                 stream: t.seed.stream("quantizer"))
                let raw = try fit.quantizer.encode(x)
                codes = ItemCodes(rows: features.rows, positions: d, cap: k, values: [Int32](repeating: 0, count: d) + raw.map { Int32($0) })
            } catch { throw args.error("centroids", error.localizedDescriptionWithoutPrefix) }
            let configuration = VQRecConfiguration(codePositions: d, codeCap: k, hidden: t.hidden, layers: t.layers, heads: t.heads,
                                                   inner: t.inner, maxLength: t.maxLength, hiddenDropout: t.dropout,
                                                   attentionDropout: t.attentionDropout,
                                                   temperature: Float(try args.number("temperature", min: 0, exclusiveMin: true)))
            if let problem = configuration.problem { throw args.error(problem) }
            let model: VQRecRecommender
            do { model = try VQRecRecommender(configuration, codes: codes, seed: t.seed, name: t.name) } catch {
                throw args.error(error.localizedDescriptionWithoutPrefix)
            }
            let object = ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width)
            object.textEncoding = encoding
            return .object(object)
        })

        registerMethod(BuiltinSpec("codes", owner: "Model", topic: "models", parameters: [
            Parameter("item", .oneOf([.integer, .string]), positional: true, help: "an item by title, token or id"),
        ], help: "A VQ-Rec item's codes, one per sub-space (each in 0 ..< centroids).") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            guard let v = m.model as? VQRecRecommender else { throw args.error("\(m.model.name) is not a VQ-Rec model; codes(item) works on vqrec(...)") }
            let item = try m.dataset.resolveItem(args.value("item"), args, "item")
            return .list(try v.codes(item).map { .number(Double($0)) })
        })
    }
}
