// The sizes of a BERT sentence encoder, read from the sentence-transformers model directory:
//   config.json                 the BERT architecture (Hugging Face BertConfig)
//   sentence_bert_config.json   max_seq_length, where sentence-transformers truncates
//   1_Pooling/config.json       must ask for mean pooling, the only pooling implemented here
//   tokenizer_config.json       must not turn lowercasing off (the tokenizer is uncased only)
// Anything the forward pass does not implement is an error here rather than a wrong vector later.

import Foundation

/// Architecture and tokenisation limits of a BERT sentence encoder (all-MiniLM-L6-v2 by default).
public struct MiniLMConfiguration: Sendable, Equatable {
    /// Vocabulary size (rows of the word embedding).
    public var vocabularySize = 30522
    /// Hidden width.
    public var hidden = 384
    /// Transformer layers.
    public var layers = 6
    /// Attention heads per layer.
    public var heads = 12
    /// Feed-forward width.
    public var intermediate = 1536
    /// Rows of the position embedding.
    public var maxPositions = 512
    /// Rows of the token-type embedding.
    public var typeVocabularySize = 2
    /// Layer-norm epsilon.
    public var layerNormEps: Float = 1e-12
    /// Tokens kept per text, [CLS] and [SEP] included (sentence-transformers' max_seq_length).
    public var maxSequenceLength = 256

    /// The configuration of all-MiniLM-L6-v2.
    public init() {}

    /// A configuration with the given sizes (tests build tiny models with it).
    public init(vocabularySize: Int, hidden: Int, layers: Int, heads: Int, intermediate: Int, maxPositions: Int,
                typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12, maxSequenceLength: Int) {
        self.vocabularySize = vocabularySize
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.intermediate = intermediate
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEps = layerNormEps
        self.maxSequenceLength = maxSequenceLength
    }

    /// Width of one attention head.
    public var headWidth: Int { hidden / heads }

    /// Reads and checks the configuration files of the model in `directory`.
    public static func read(directory: String) throws -> MiniLMConfiguration {
        let hint = ModelDirectory.fetchHint
        let bert = try JSONFile(directory + "/config.json", hint: hint)
        var c = MiniLMConfiguration()
        c.vocabularySize = try bert.int("vocab_size")
        c.hidden = try bert.int("hidden_size")
        c.layers = try bert.int("num_hidden_layers")
        c.heads = try bert.int("num_attention_heads")
        c.intermediate = try bert.int("intermediate_size")
        c.maxPositions = try bert.int("max_position_embeddings")
        c.typeVocabularySize = try bert.int("type_vocab_size", default: 2)
        c.layerNormEps = Float(try bert.double("layer_norm_eps", default: 1e-12))
        let modelType = try bert.string("model_type", default: "bert")
        guard modelType == "bert" else {
            throw TextError(file: bert.path, "model_type is '\(modelType)'; only BERT encoders are implemented")
        }
        let activation = try bert.string("hidden_act", default: "gelu")
        guard activation == "gelu" else {
            throw TextError(file: bert.path, "hidden_act is '\(activation)'; only 'gelu' (the exact erf form) is implemented")
        }
        let positions = try bert.string("position_embedding_type", default: "absolute")
        guard positions == "absolute" else {
            throw TextError(file: bert.path, "position_embedding_type is '\(positions)'; only 'absolute' is implemented")
        }
        for (key, value) in [("vocab_size", c.vocabularySize), ("hidden_size", c.hidden), ("num_hidden_layers", c.layers),
                             ("num_attention_heads", c.heads), ("intermediate_size", c.intermediate),
                             ("max_position_embeddings", c.maxPositions), ("type_vocab_size", c.typeVocabularySize)]
            where value < 1 {
            throw TextError(file: bert.path, "'\(key)' is \(value); it must be positive")
        }
        guard c.hidden % c.heads == 0 else {
            throw TextError(file: bert.path, "hidden_size \(c.hidden) is not a multiple of num_attention_heads \(c.heads)")
        }

        let sentence = try JSONFile(directory + "/sentence_bert_config.json", hint: hint)
        c.maxSequenceLength = try sentence.int("max_seq_length", default: c.maxPositions)
        guard c.maxSequenceLength >= 2, c.maxSequenceLength <= c.maxPositions else {
            throw TextError(file: sentence.path, "max_seq_length \(c.maxSequenceLength) must be between 2 and max_position_embeddings \(c.maxPositions) of config.json")
        }

        let poolingPath = directory + "/1_Pooling/config.json"
        if FileManager.default.fileExists(atPath: poolingPath) {
            let pooling = try JSONFile(poolingPath, hint: hint)
            let mean = try pooling.bool("pooling_mode_mean_tokens", default: false)
            let others = try ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"]
                .filter { try pooling.bool($0, default: false) }
            guard mean, others.isEmpty else {
                throw TextError(file: pooling.path, "the model pools with \(others.isEmpty ? "no mode" : others.joined(separator: ", ")); only mean pooling (pooling_mode_mean_tokens alone) is implemented")
            }
            let dimension = try pooling.int("word_embedding_dimension", default: c.hidden)
            guard dimension == c.hidden else {
                throw TextError(file: pooling.path, "word_embedding_dimension \(dimension) differs from hidden_size \(c.hidden) of config.json")
            }
        }
        let tokenizerPath = directory + "/tokenizer_config.json"
        if FileManager.default.fileExists(atPath: tokenizerPath) {
            let tokenizer = try JSONFile(tokenizerPath, hint: hint)
            guard try tokenizer.bool("do_lower_case", default: true) else {
                throw TextError(file: tokenizer.path, "do_lower_case is false; only uncased (lowercasing) tokenizers are implemented")
            }
        }
        return c
    }
}
