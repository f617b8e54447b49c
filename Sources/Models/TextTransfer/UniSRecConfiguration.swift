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
public struct UniSRecConfiguration: TransformerConfiguration, Sendable, Equatable {
    /// Width d of the item text features the adaptor reads (768 for BERT [CLS], 384 for MiniLM).
    public var featureWidth: Int
    /// The SASRec encoder's sizes (H is also the adaptor's output width), read as
    /// `configuration.hidden` and so on.
    public var size: TransformerSize
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
        self.size = TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                                    hiddenDropout: hiddenDropout, attentionDropout: attentionDropout,
                                    layerNormEps: layerNormEps, initializerRange: initializerRange)
        self.experts = experts
        self.adaptorDropout = adaptorDropout
        self.temperature = temperature
    }

    /// The reason these values cannot build a network, or nil when they can (check this first for
    /// values that arrive from users: the language, checkpoints).
    public var problem: String? {
        if featureWidth < 1 { return "UniSRec needs item features of at least one dimension, got \(featureWidth)" }
        if experts < 1 { return "UniSRec needs at least one expert, got experts \(experts)" }
        if let problem = size.problem(model: "UniSRec") { return problem }
        if !(adaptorDropout >= 0 && adaptorDropout < 1) { return "UniSRec adaptor dropout must be in [0, 1), got \(adaptorDropout)" }
        if !(temperature > 0 && temperature.isFinite) { return "UniSRec temperature must be a positive number, got \(temperature)" }
        return nil
    }
}
