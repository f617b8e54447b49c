// The hyperparameters of SASRec as RecBole implements it (reference/text-models.md §1,
// `properties/model/SASRec.yaml`): 2 layers, 2 heads, hidden 64, inner 256, dropouts 0.5/0.5,
// exact-erf GELU, layer-norm eps 1e-12, N(0, 0.02) initialisation, max length 50.

/// Sizes, dropouts and initialisation of a SASRec network.
public struct SASRecConfiguration: Sendable, Equatable {
    /// Number of item ids including the padding id 0 (N): the item table has N rows and the
    /// scores N columns.
    public var items: Int
    /// Width of embeddings and of every layer (H); a multiple of `heads`.
    public var hidden: Int
    /// Number of transformer layers (L_layers).
    public var layers: Int
    /// Attention heads per layer; each reads H / heads channels.
    public var heads: Int
    /// Width of the feed-forward layer between its two projections (RecBole's inner_size).
    public var inner: Int
    /// Rows of the position table: the longest history the network reads (RecBole's
    /// MAX_ITEM_LIST_LENGTH). Longer histories keep their most recent `maxLength` items.
    public var maxLength: Int
    /// Dropout after the embedding layer norm and on each sublayer's output before its residual
    /// (RecBole's hidden_dropout_prob).
    public var hiddenDropout: Float
    /// Dropout on the attention probabilities (RecBole's attn_dropout_prob).
    public var attentionDropout: Float
    /// Layer-norm epsilon inside the square root.
    public var layerNormEps: Float
    /// Standard deviation of the normal initialisation of embeddings and linear weights
    /// (RecBole's initializer_range).
    public var initializerRange: Float

    /// A configuration; defaults are RecBole's SASRec.yaml.
    public init(items: Int, hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256, maxLength: Int = 50,
                hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5, layerNormEps: Float = 1e-12,
                initializerRange: Float = 0.02) {
        if let problem = Self.problem(items: items, hidden: hidden, layers: layers, heads: heads, inner: inner,
                                      maxLength: maxLength, hiddenDropout: hiddenDropout, attentionDropout: attentionDropout) {
            preconditionFailure(problem)
        }
        self.items = items
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

    /// The reason these sizes cannot build a network, or nil when they can (for inputs that arrive
    /// as values: the language, checkpoints).
    public static func problem(items: Int, hidden: Int, layers: Int, heads: Int, inner: Int, maxLength: Int,
                               hiddenDropout: Float, attentionDropout: Float) -> String? {
        if items < 2 { return "SASRec needs at least one item besides padding, got items \(items)" }
        if hidden < 1 || layers < 1 || heads < 1 || inner < 1 || maxLength < 1 {
            return "SASRec needs positive hidden, layers, heads, inner and maxLength; got hidden \(hidden), layers \(layers), heads \(heads), inner \(inner), maxLength \(maxLength)"
        }
        if hidden % heads != 0 { return "SASRec: \(heads) heads do not divide hidden size \(hidden)" }
        for (name, rate) in [("dropout", hiddenDropout), ("attention dropout", attentionDropout)] where !(rate >= 0 && rate < 1) {
            return "SASRec \(name) must be in [0, 1), got \(rate)"
        }
        return nil
    }
}
