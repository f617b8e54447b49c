// A text-based model's language-side state in its checkpoint: how item text became vectors (the
// encoder, its item columns, TF-IDF's width and seed and the corpus it was fitted on, which refits
// the same encoder bit for bit) and, for VQ-Rec, the quantiser its codes came from. A restored
// model then fine-tunes and pretrains on new domains exactly as the saved one would: their text is
// encoded and quantised the same way. The model's own item table or codes are in the trainer
// checkpoint (UniSRecFamily, VQRecFamily), so restoring never runs an encoder.

import Foundation
import Quantization
import Tensors
import Training

extension TextTransferState: SavedFamilyState {
    /// The "text.*" entries and the "quantizer.*" tensors.
    var checkpointSection: CheckpointSection {
        var s = CheckpointSection()
        s.metadata["text.encoder"] = encoding.kind.rawValue
        if let columns = encoding.columns { s.metadata["text.columns"] = Self.json(columns) }
        s.metadata["text.width"] = String(encoding.tfidfWidth)
        s.metadata["text.seed"] = String(encoding.seed)
        if let corpus = encoding.tfidfCorpus { s.metadata["text.corpus"] = Self.json(corpus) }
        if let quantizer { s.tensors = quantizer.tensors(prefix: "quantizer.") }
        return s
    }

    /// The state `checkpointSection` wrote, or nil when the checkpoint has none (other families).
    static func restore(_ checkpoint: RestoredCheckpoint) throws -> TextTransferState? {
        let meta = checkpoint.file.metadata, source = checkpoint.source
        guard let kindText = meta["text.encoder"] else { return nil }
        func fail(_ message: String) -> TrainingError { TrainingError("\(source): \(message); the file is damaged") }
        guard let kind = TextEncoding.Kind(rawValue: kindText) else { throw fail("the text encoder '\(kindText)' is not minilm, tfidf or features") }
        let width: Int = try TrainerCheckpoint.number(Substring(try checkpoint.field("text.width")), "the TF-IDF width", source: source)
        let seed: UInt64 = try TrainerCheckpoint.number(Substring(try checkpoint.field("text.seed")), "the text seed", source: source)
        guard (1...4096).contains(width) else { throw fail("the TF-IDF width \(width) is out of range") }
        let columns = try meta["text.columns"].map { try strings($0, "text.columns", source: source) }
        let encoding = TextEncoding(kind: kind, columns: columns, tfidfWidth: width, seed: seed)
        if let corpus = meta["text.corpus"] {
            guard kind == .tfidf else { throw fail("a \(kind.rawValue) encoder has a TF-IDF corpus") }
            do { try encoding.fitTfidf(try strings(corpus, "text.corpus", source: source)) } catch let e as TrainingError { throw e } catch {
                throw fail("the TF-IDF encoder cannot be refitted on its saved corpus: \(error)")
            }
        }
        var quantizer: VQRecQuantizer?
        if checkpoint.file.names.contains("quantizer.rotation") {
            do { quantizer = try VQRecQuantizer(file: checkpoint.file, prefix: "quantizer.") } catch { throw TrainingError("\(error)") }
        }
        return TextTransferState(encoding: encoding, quantizer: quantizer)
    }

    /// `values` as a JSON array (metadata values are strings).
    private static func json(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The JSON array of strings in metadata entry `key`.
    private static func strings(_ text: String, _ key: String, source: String) throws -> [String] {
        guard let values = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw TrainingError("\(source): \(key) is not a list of texts; the file is damaged")
        }
        return values
    }
}
