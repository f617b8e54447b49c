// The hyperparameters of UniSRec as its authors' code sets them (reference/text-models.md §4,
// props/UniSRec.yaml): a RecBole SASRec encoder of width 300 (2 layers, 2 heads, inner 256,
// dropouts 0.5/0.5, eps 1e-12, N(0, 0.02)) fed by a mixture-of-experts adaptor over item text
// (8 experts, input dropout 0.2), cosine logits at temperature 0.07.

/// Whether item vectors come from text alone or from text plus a learned item table.
public enum UniSRecMode: String, Sendable, CaseIterable {
    /// Item vector = MoE(text): items never seen in training are scored from their text alone
    /// (UniSRec's `inductive_ft`, and the pretraining stage).
    case inductive
    /// Item vector = MoE(text) + E_item, on the input and the candidate side (`transductive_ft`).
    case transductive
}

/// Sizes, dropouts and initialisation of a UniSRec network (the item count comes from its text table).
public struct UniSRecConfiguration: Sendable, Equatable {
    /// Width d of the item text features the adaptor reads (768 for BERT [CLS], 384 for MiniLM).
    public var featureWidth: Int
    /// Width H of the adaptor's output, the embeddings and every layer; a multiple of `heads`.
    public var hidden: Int
    /// Number of transformer layers.
    public var layers: Int
    /// Attention heads per layer; each reads H / heads channels.
    public var heads: Int
    /// Width of the feed-forward layer between its two projections (RecBole's inner_size).
    public var inner: Int
    /// Rows of the position table: the longest history read (longer ones keep their most recent items).
    public var maxLength: Int
    /// Dropout after the embedding layer norm and on each sublayer's output (hidden_dropout_prob).
    public var hiddenDropout: Float
    /// Dropout on the attention probabilities (attn_dropout_prob).
    public var attentionDropout: Float
    /// Layer-norm epsilon inside the square root.
    public var layerNormEps: Float
    /// Standard deviation of the normal initialisation of embeddings and linear weights.
    public var initializerRange: Float
    /// Number of experts E of the adaptor (n_exps).
    public var experts: Int
    /// Dropout on each expert's input features (adaptor_dropout_prob), drawn independently per expert.
    public var adaptorDropout: Float
    /// τ of the training logits normalize(h)·normalize(e)ᵀ / τ and of the contrastive losses.
    public var temperature: Float

    /// A configuration for features of width `featureWidth`; the other defaults are UniSRec.yaml's.
    /// Nothing is checked here: `problem` says whether a network can be built from it.
    public init(featureWidth: Int, hidden: Int = 300, layers: Int = 2, heads: Int = 2, inner: Int = 256,
                maxLength: Int = 50, hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5,
                layerNormEps: Float = 1e-12, initializerRange: Float = 0.02, experts: Int = 8,
                adaptorDropout: Float = 0.2, temperature: Float = 0.07) {
        self.featureWidth = featureWidth
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.inner = inner
        self.maxLength = maxLength
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.layerNormEps = layerNormEps
        self.initializerRange = initializerRange
        self.experts = experts
        self.adaptorDropout = adaptorDropout
        self.temperature = temperature
    }

    /// The reason these values cannot build a network, or nil when they can (check this first for
    /// values that arrive from users: the language, checkpoints).
    public var problem: String? {
        if featureWidth < 1 { return "UniSRec needs item features of at least one dimension, got \(featureWidth)" }
        if hidden < 1 || layers < 1 || heads < 1 || inner < 1 || maxLength < 1 || experts < 1 {
            return "UniSRec needs positive hidden, layers, heads, inner, maxLength and experts; got hidden \(hidden), layers \(layers), heads \(heads), inner \(inner), maxLength \(maxLength), experts \(experts)"
        }
        if hidden % heads != 0 { return "UniSRec: \(heads) heads do not divide hidden size \(hidden)" }
        for (name, rate) in [("dropout", hiddenDropout), ("attention dropout", attentionDropout),
                             ("adaptor dropout", adaptorDropout)] where !(rate >= 0 && rate < 1) {
            return "UniSRec \(name) must be in [0, 1), got \(rate)"
        }
        if !(temperature > 0 && temperature.isFinite) { return "UniSRec temperature must be a positive number, got \(temperature)" }
        if !(layerNormEps > 0) || !(initializerRange >= 0) {
            return "UniSRec needs a positive layer-norm epsilon and a non-negative initialisation range"
        }
        return nil
    }
}
