// all-MiniLM-L6-v2 as sentence-transformers runs it: WordPiece ids truncated to max_seq_length,
// the BERT forward pass, mean pooling over the real tokens, L2 normalisation. Inference only.
//
// Texts are sorted by token count and cut into batches of similar length, so padding stays small
// (ml-100k titles: a few percent of the rows); each batch is padded to its longest member and the
// padded keys are masked. Results come back in input order. Products run on the OpenBLAS threads
// the caller set (`BLAS.threads`).

import Foundation
import Support
import Tensors

/// The all-MiniLM-L6-v2 sentence encoder (384-wide unit vectors).
public final class MiniLMEncoder: TextEncoder, Sendable {
    /// Architecture and truncation length.
    public let configuration: MiniLMConfiguration
    /// The tokenizer (vocab.txt, truncation to max_seq_length).
    public let tokenizer: WordPieceTokenizer
    /// The directory the model was read from.
    public let directory: String
    /// Most rows (sequences × padded length) in one batch: bounds the scratch memory (about
    /// rows × (6·H + 2·I) floats, 44 MB at the default) while keeping the products large.
    public let batchRows: Int
    let weights: MiniLMWeights

    /// Reads the model from `directory` (see `ModelDirectory.resolve` for the default places):
    /// config.json, sentence_bert_config.json, 1_Pooling/config.json, vocab.txt, model.safetensors.
    public init(directory: String? = nil, batchRows: Int = 2048) throws {
        let dir = directory ?? ModelDirectory.resolve()
        guard ModelDirectory.isDirectory(dir) else { throw ModelDirectory.notFound(explicit: directory) }
        guard batchRows >= 1 else { throw TextError.invalid("batchRows must be at least 1, got \(batchRows)") }
        let configuration = try MiniLMConfiguration.read(directory: dir)
        let vocabularyPath = dir + "/vocab.txt"
        let vocabulary = try WordPieceVocabulary(contentsOf: vocabularyPath)
        guard vocabulary.count == configuration.vocabularySize else {
            throw TextError(file: vocabularyPath, "holds \(vocabulary.count) tokens but vocab_size in \(dir)/config.json is \(configuration.vocabularySize); the files do not belong together")
        }
        let weightsPath = dir + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw TextError(file: weightsPath, "file not found; \(ModelDirectory.fetchHint)")
        }
        let file = try SafetensorsFile(contentsOf: weightsPath)
        self.weights = try MiniLMWeights(file: file, configuration: configuration, configPath: dir + "/config.json")
        self.tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: configuration.maxSequenceLength,
                                                source: vocabularyPath)
        self.configuration = configuration
        self.directory = dir
        self.batchRows = batchRows
    }

    /// Width of the sentence vectors (hidden_size, 384).
    public var width: Int { configuration.hidden }

    /// Unit-length sentence vectors of `texts`, row-major [texts.count, width], in input order.
    /// The empty text is encoded as "[CLS] [SEP]", like sentence-transformers does.
    public func encode(_ texts: [String]) throws -> [Float] {
        try encode(tokenIDs: texts.map(tokenizer.encode))
    }

    /// Unit-length sentence vectors of already tokenised sequences (each normally [CLS] … [SEP];
    /// 1 to max_seq_length ids below vocab_size), row-major [sequences.count, width], in input order.
    public func encode(tokenIDs sequences: [[Int32]]) throws -> [Float] {
        let c = configuration
        for (i, s) in sequences.enumerated() {
            guard !s.isEmpty, s.count <= c.maxSequenceLength else {
                throw TextError.invalid("sequence \(i) has \(s.count) tokens; the encoder takes 1 to \(c.maxSequenceLength) (max_seq_length)")
            }
            if let bad = s.first(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
                throw TextError.invalid("sequence \(i) holds token id \(bad), outside the vocabulary 0..<\(c.vocabularySize)")
            }
        }
        try MemoryLimit.check(sequences.count * c.hidden * MemoryLayout<Float>.stride,
                              for: "the \(c.hidden)-d vectors of \(sequences.count) texts")
        var output = [Float](repeating: 0, count: sequences.count * c.hidden)
        if sequences.isEmpty { return output }
        // Shortest first, ties in input order, so the order never depends on anything but the input.
        let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        let longest = sequences[order.last!].count
        let workspace = MiniLMWorkspace(configuration: c, rows: max(batchRows, longest))
        try output.withUnsafeMutableBufferPointer { out in
            var start = 0
            while start < order.count {
                // Ctrl-C: stop between batches; the caller gets no vectors, so none are cached.
                try Cancellation.check("text encoding (MiniLM, \(start) of \(order.count) texts done)")
                // Grow the batch while its padded size (members × the longest, i.e. the last) fits.
                var end = start + 1
                while end < order.count && (end + 1 - start) * sequences[order[end]].count <= batchRows { end += 1 }
                let members = Array(order[start..<end])
                workspace.encode(members.map { sequences[$0] }, length: sequences[order[end - 1]].count,
                                 padID: tokenizer.padID, weights: weights, into: out.baseAddress!,
                                 rowStride: c.hidden, rowOrder: members)
                start = end
            }
        }
        return output
    }
}
