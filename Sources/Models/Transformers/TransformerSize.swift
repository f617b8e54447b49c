// The sizes of RecBole's TransformerEncoder, which SASRec, BERT4Rec, UniSRec and VQ-Rec all build on
// (reference/text-models.md §1): hidden width, layers, heads, feed-forward width, the position
// table's length, the two dropouts, layer-norm epsilon and the initialisation range. Each model's
// configuration holds one and reads its fields as its own (`configuration.hidden`), so the fields, their
// defaults (RecBole's SASRec.yaml) and their bounds are written once, here.

/// The shared sizes, dropouts and initialisation of a RecBole-style transformer encoder.
public struct TransformerSize: Sendable, Equatable {
    /// Width of embeddings and of every layer (H); a multiple of `heads`.
    public var hidden: Int
    /// Number of transformer layers.
    public var layers: Int
    /// Attention heads per layer; each reads H / heads channels.
    public var heads: Int
    /// Width of the feed-forward layer between its two projections (RecBole's inner_size).
    public var inner: Int
    /// The longest history the network reads (RecBole's MAX_ITEM_LIST_LENGTH); longer histories keep
    /// their most recent `maxLength` items.
    public var maxLength: Int
    /// Dropout after the embedding layer norm and on each sublayer's output before its residual
    /// (hidden_dropout_prob).
    public var hiddenDropout: Float
    /// Dropout on the attention probabilities (attn_dropout_prob).
    public var attentionDropout: Float
    /// Layer-norm epsilon inside the square root.
    public var layerNormEps: Float
    /// Standard deviation of the normal initialisation of embeddings and linear weights
    /// (initializer_range).
    public var initializerRange: Float

    /// Sizes; the defaults are RecBole's SASRec.yaml. Nothing is checked here: `problem` says whether
    /// a network can be built from them.
    public init(hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256, maxLength: Int = 50,
                hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5, layerNormEps: Float = 1e-12,
                initializerRange: Float = 0.02) {
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.inner = inner
        self.maxLength = maxLength
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.layerNormEps = layerNormEps
        self.initializerRange = initializerRange
    }

    /// The largest sizes SeqLab builds: beyond them a typo would ask for gigabytes before anything
    /// else could complain. The language checks arguments against them and checkpoints are read
    /// against them.
    public enum Bounds {
        /// Hidden width H.
        public static let hidden = 1...4096
        /// Transformer layers.
        public static let layers = 1...64
        /// Attention heads.
        public static let heads = 1...256
        /// Feed-forward width.
        public static let inner = 1...65_536
        /// Rows of the position table.
        public static let maxLength = 1...100_000
    }

    /// The reason these sizes cannot build `model`'s encoder (its name starts the message), or nil.
    public func problem(model: String) -> String? {
        let sizes = [("hidden", hidden, Bounds.hidden), ("layers", layers, Bounds.layers), ("heads", heads, Bounds.heads),
                     ("inner", inner, Bounds.inner), ("maxLength", maxLength, Bounds.maxLength)]
        if sizes.contains(where: { $0.1 < 1 }) {
            return "\(model) needs positive hidden, layers, heads, inner and maxLength; got hidden \(hidden), layers \(layers), heads \(heads), inner \(inner), maxLength \(maxLength)"
        }
        for (name, value, range) in sizes where !range.contains(value) {
            return "\(model) \(name) must be at most \(range.upperBound), got \(value)"
        }
        if hidden % heads != 0 { return "\(model): \(heads) heads do not divide hidden size \(hidden)" }
        for (name, rate) in [("dropout", hiddenDropout), ("attention dropout", attentionDropout)] where !(rate >= 0 && rate < 1) {
            return "\(model) \(name) must be in [0, 1), got \(rate)"
        }
        if !(layerNormEps > 0) || !(initializerRange >= 0) {
            return "\(model) needs a positive layer-norm epsilon and a non-negative initialisation range"
        }
        return nil
    }
}

/// A configuration built on a `TransformerSize`, whose fields it reads as its own.
@dynamicMemberLookup
public protocol TransformerConfiguration {
    /// The encoder's sizes.
    var size: TransformerSize { get set }
}

extension TransformerConfiguration {
    /// `configuration.hidden` for `configuration.size.hidden`, and so on for every shared field.
    public subscript<T>(dynamicMember field: WritableKeyPath<TransformerSize, T>) -> T {
        get { size[keyPath: field] }
        set { size[keyPath: field] = newValue }
    }
}
