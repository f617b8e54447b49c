// The weights of a BERT encoder from a Hugging Face safetensors file, checked name by name and
// shape by shape against config.json before any arithmetic sees them.
//
// Names are those of transformers' BertModel (`embeddings.word_embeddings.weight`,
// `encoder.layer.3.attention.self.query.weight`, ...), optionally under a `bert.` prefix as in
// BertForPreTraining checkpoints. Linear weights stay PyTorch's [out, in] so the products use
// them transposed in place; query, key and value are stacked into one [3·H, H] matrix so a layer
// computes all three with one product.

import Tensors

/// The parameters of one post-LN transformer layer.
struct MiniLMLayerWeights: Sendable {
    /// [3H, H] query, key, value weights stacked (rows 0..<H query), and their [3H] biases.
    var qkvWeight: [Float], qkvBias: [Float]
    /// [H, H] attention output projection and [H] bias.
    var attentionOutputWeight: [Float], attentionOutputBias: [Float]
    /// Layer norm after the attention residual.
    var attentionNormGamma: [Float], attentionNormBeta: [Float]
    /// [I, H] and [I]: the first feed-forward product.
    var intermediateWeight: [Float], intermediateBias: [Float]
    /// [H, I] and [H]: the second feed-forward product.
    var outputWeight: [Float], outputBias: [Float]
    /// Layer norm after the feed-forward residual.
    var outputNormGamma: [Float], outputNormBeta: [Float]
}

/// All parameters of the encoder (the pooler of BertModel is not used by mean pooling).
struct MiniLMWeights: Sendable {
    /// [V, H], [P, H], [T, H] embedding tables.
    var wordEmbeddings: [Float], positionEmbeddings: [Float], tokenTypeEmbeddings: [Float]
    /// Layer norm of the embedding sum.
    var embeddingNormGamma: [Float], embeddingNormBeta: [Float]
    /// The transformer layers, first to last.
    var layers: [MiniLMLayerWeights]

    /// Reads every tensor the configuration calls for from `file` (`config` names config.json in
    /// errors about shapes).
    init(file: SafetensorsFile, configuration c: MiniLMConfiguration, configPath: String) throws {
        let prefix = file.names.contains("embeddings.word_embeddings.weight")
            || !file.names.contains("bert.embeddings.word_embeddings.weight") ? "" : "bert."
        func load(_ name: String, _ shape: [Int]) throws -> [Float] {
            let full = prefix + name
            guard file.names.contains(full) else {
                throw TextError(file: file.path, "no tensor named '\(full)', which a BERT encoder with \(c.layers) layers needs; "
                                + "the file is not a complete BertModel checkpoint (refetch it with `make models`)")
            }
            let entry = try file.entry(full)
            guard entry.shape == shape else {
                throw TextError(file: file.path, "tensor '\(full)' has shape \(entry.shape), but \(configPath) "
                                + "(hidden_size \(c.hidden), intermediate_size \(c.intermediate), vocab_size \(c.vocabularySize), "
                                + "max_position_embeddings \(c.maxPositions)) needs \(shape); the weights and the configuration do not belong together")
            }
            guard entry.dtype.isFloatingPoint else {
                throw TextError(file: file.path, "tensor '\(full)' is \(entry.dtype.rawValue); weights must be floating point")
            }
            return try file.tensor(full).scalars
        }
        let h = c.hidden, i = c.intermediate
        wordEmbeddings = try load("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try load("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try load("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNormGamma = try load("embeddings.LayerNorm.weight", [h])
        embeddingNormBeta = try load("embeddings.LayerNorm.bias", [h])
        layers = try (0..<c.layers).map { l in
            let p = "encoder.layer.\(l)."
            return MiniLMLayerWeights(
                qkvWeight: try load(p + "attention.self.query.weight", [h, h]) + load(p + "attention.self.key.weight", [h, h])
                    + load(p + "attention.self.value.weight", [h, h]),
                qkvBias: try load(p + "attention.self.query.bias", [h]) + load(p + "attention.self.key.bias", [h])
                    + load(p + "attention.self.value.bias", [h]),
                attentionOutputWeight: try load(p + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: try load(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: try load(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try load(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try load(p + "intermediate.dense.weight", [i, h]),
                intermediateBias: try load(p + "intermediate.dense.bias", [i]),
                outputWeight: try load(p + "output.dense.weight", [h, i]),
                outputBias: try load(p + "output.dense.bias", [h]),
                outputNormGamma: try load(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try load(p + "output.LayerNorm.bias", [h]))
        }
        // A checkpoint with more layers than config.json says would be silently truncated otherwise.
        if file.names.contains(prefix + "encoder.layer.\(c.layers).attention.self.query.weight") {
            throw TextError(file: file.path, "holds more than the \(c.layers) layers num_hidden_layers of \(configPath) asks for; the weights and the configuration do not belong together")
        }
    }
}
