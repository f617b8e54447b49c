// `encode(texts or dataset, encoder: ...)`: item text to vectors in the language, and the vectors'
// nearest neighbours, so a user can see what the encoder thinks is alike before training on it.

import Datasets
import Script
import Tensors

/// Text vectors: one row per text, or per item of a dataset.
final class VectorsObject: ScriptObject {
    let values: [Float]
    let rows: Int, width: Int
    let labels: [String]
    let encoder: String
    /// The dataset whose items the rows are (row i = item i + 1), if encoded from one.
    let dataset: DatasetObject?

    init(values: [Float], labels: [String], encoder: String, dataset: DatasetObject?) {
        self.values = values
        rows = labels.count
        width = labels.isEmpty ? 0 : values.count / labels.count
        self.labels = labels
        self.encoder = encoder
        self.dataset = dataset
    }

    var typeName: String { "Vectors" }
    var length: Int? { rows }
    var summary: String {
        var norm = 0.0
        for r in 0..<rows {
            var s: Float = 0
            for j in 0..<width { s += values[r * width + j] * values[r * width + j] }
            norm += Double(s.squareRoot())
        }
        return "Vectors: \(rows) \(dataset == nil ? "texts" : "items of \(dataset!.dataset.name)") × \(width) dimensions (\(encoder)), "
            + "mean L2 norm \(fixed(rows == 0 ? 0 : norm / Double(rows), 4))"
    }

    /// Row indices by cosine to row `r`, best first, `r` itself left out; ties by index.
    func nearest(_ r: Int, k: Int) -> [(Int, Float)] {
        func norm(_ i: Int) -> Float {
            var s: Float = 0
            for j in 0..<width { s += values[i * width + j] * values[i * width + j] }
            return s.squareRoot()
        }
        let nr = norm(r)
        var scored: [(Int, Float)] = []
        for i in 0..<rows where i != r {
            var dot: Float = 0
            for j in 0..<width { dot += values[r * width + j] * values[i * width + j] }
            let d = nr * norm(i)
            scored.append((i, d > 0 ? dot / d : 0))
        }
        scored.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        return Array(scored.prefix(k))
    }
}

extension Registry {
    func registerText() {
        describeType("Vectors", "text vectors from encode(...): one row per text or per item")
        register(BuiltinSpec("encode", topic: "text", parameters: [
            Parameter("texts", .oneOf([.list, .object("Dataset")]), positional: true, help: "a list of strings, or a dataset (its item texts)"),
            Parameter("encoder", .string, default: .string("minilm"), help: "\"minilm\" (all-MiniLM-L6-v2; `make models` fetches it) or \"tfidf\" (TF-IDF + SVD, no download)"),
            Parameter("columns", .list, default: Value.none, help: "for a dataset: item columns joined into the text (default: its title)"),
            Parameter("width", .integer, default: .number(64), help: "tfidf: output dimensions"),
            Parameter("seed", .integer, default: Value.none, help: "tfidf: seed of the randomised SVD (default: the session's)"),
            modelDirectoryParameter,
        ], help: "Item text to vectors with the built-in sentence encoder or TF-IDF + SVD; cached in the run store.") { args, interpreter in
            let (encoding, dataset) = try textEncoding(args, interpreter, kinds: [.minilm, .tfidf])
            return try args.rethrowing {
                if let dataset {
                    let f = try encoding.itemVectors(dataset.dataset, interpreter: interpreter)
                    let labels = (1..<f.rows).map { dataset.label($0) }
                    return .object(VectorsObject(values: Array(f.values[f.width...]), labels: labels, encoder: encoding.description,
                                                 dataset: dataset))
                }
                let texts = try args.list("texts").map { v -> String in
                    guard case .string(let s) = v else { throw args.error("texts", "texts must be strings") }
                    return s
                }
                guard !texts.isEmpty else { throw args.error("texts", "give at least one text to encode, e.g. encode([\"space war\"])") }
                return .object(VectorsObject(values: try encoding.encode(texts, interpreter: interpreter), labels: texts,
                                             encoder: encoding.description, dataset: nil))
            }
        })
        registerMethod(BuiltinSpec("similar", owner: "Vectors", topic: "text", parameters: [
            Parameter("row", .oneOf([.integer, .string]), positional: true, help: "a row number (1-based), a text, or for items a title or token"),
            Parameter("k", .integer, default: .number(5), help: "how many"),
        ], help: "The rows closest to one row by cosine similarity.") { args, _ in
            let v = args.receiver(as: VectorsObject.self)
            let r: Int
            switch args.value("row") {
            case .number(let x):
                guard x == x.rounded(), x >= 1, x <= Double(v.rows) else { throw args.error("row", "rows run from 1 to \(v.rows)") }
                r = Int(x) - 1
            default:
                if let d = v.dataset { r = try d.resolveItem(args.value("row"), args, "row") - 1 } else {
                    guard case .string(let s) = args.value("row"), let i = v.labels.firstIndex(of: s) else {
                        throw args.error("row", "no row has this text; give a row number")
                    }
                    r = i
                }
            }
            let k = try args.int("k", min: 1, max: max(v.rows - 1, 1))
            // A cosine that rounds to zero prints as 0.000, never -0.000.
            let lines = v.nearest(r, k: k).map { "  \(fixed(abs($0.1) < 5e-4 ? 0 : Double($0.1), 3))  \(shorten(v.labels[$0.0], 60))" }
            return .object(TextObject("Neighbours", (["Closest to \"\(shorten(v.labels[r], 60))\" (\(v.encoder), cosine):"] + lines)
                .joined(separator: "\n")))
        })
    }
}

/// The `model:` argument: the sentence encoder's directory.
let modelDirectoryParameter = Parameter("model", .string, default: Value.none,
    help: "minilm: the model directory (default: $SEQLAB_MODELS/all-minilm-l6-v2, else where `make models` installs it)")

/// The `encoder`, `columns`, `width` and `seed` arguments as an encoding, and the dataset when
/// `texts` is one.
func textEncoding(_ args: Arguments, _ interpreter: Interpreter, kinds: [TextEncoding.Kind],
                  datasetParameter: String = "texts") throws -> (TextEncoding, DatasetObject?) {
    let kind = TextEncoding.Kind(rawValue: try args.string("encoder", choices: kinds.map(\.rawValue)))!
    let columns = try (args.has("columns") ? try args.list("columns") : nil)?.map { v -> String in
        guard case .string(let s) = v else { throw args.error("columns", "columns must be strings, e.g. [\"movie_title\", \"class\"]") }
        return s
    }
    let seed = args.has("seed") ? UInt64(try args.int("seed", min: 0)) : interpreter.seed
    let encoding = TextEncoding(kind: kind, columns: columns, tfidfWidth: try args.int("width", min: 1, max: 4096), seed: seed)
    if args.spec.parameters.contains(where: { $0.name == "model" }), args.has("model") {
        guard kind == .minilm else { throw args.error("model", "model: names the sentence encoder's directory; it applies to encoder: \"minilm\"") }
        encoding.modelDirectory = try args.string("model")
    }
    if case .object(let d as DatasetObject) = args.value(datasetParameter) { return (encoding, d) }
    if case .object(let s as SplitObject) = args.value(datasetParameter) { return (encoding, s.source) }
    return (encoding, nil)
}
