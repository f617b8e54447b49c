// The hyperparameters of VQ-Rec as its authors' code sets them (reference/text-models.md §5.2,
// props/VQRec.yaml): D = 32 codes of K = 256 centroids per item, a RecBole SASRec encoder of width
// 300 (2 layers, 2 heads, inner 256, dropouts 0.5/0.5, eps 1e-12, N(0, 0.02)), cosine logits at
// temperature 0.07; pretraining's semi-synthetic negative replaces each code w.p. 0.75; the
// fine-tuning permutation runs 3 Sinkhorn rounds at temperature 0.7.

/// How VQ-Rec fine-tuning re-assigns the pretrained code embeddings to the target's codes.
public enum VQRecPermutation: String, Sendable, CaseIterable {
    /// The paper's intent: per sub-space a learnable [K+1, K+1] score matrix M, P = Gumbel–Sinkhorn(M),
    /// hard row argmax with a straight-through gradient, so M trains during the reassignment epochs.
    case learned
    /// The released code: the same forward, but `ceil` makes the gradient exactly zero, so M never
    /// moves and the reassignment is a random Gumbel-noised row argmax of its initial values.
    case released
    /// No reassignment: the code table and the input layer norm fine-tune directly.
    case none
}

/// Sizes, dropouts, temperatures and initialisation of a VQ-Rec network (the item count comes from its codes).
public struct VQRecConfiguration: TransformerConfiguration, Sendable, Equatable {
    /// Codes per item D (code_dim).
    public var codePositions: Int
    /// Centroids per sub-space K (code_cap): codes are 0..<K.
    public var codeCap: Int
    /// The SASRec encoder's sizes (H is also the code embeddings' width), read as
    /// `configuration.hidden` and so on.
    public var size: TransformerSize
    /// τ of the training logits normalize(h)·normalize(e)ᵀ / τ and of the pretraining loss.
    public var temperature: Float
    /// Probability that each code of a semi-synthetic negative is replaced (fake_idx_ratio).
    public var fakeCodeRatio: Float
    /// Sinkhorn rounds of the permutation (sinkhorn_iter).
    public var sinkhornIterations: Int
    /// Temperature of the Gumbel–Sinkhorn scores.
    public var sinkhornTemperature: Float

    /// A configuration with props/VQRec.yaml's defaults. Nothing is checked here: `problem` says
    /// whether a network can be built from it.
    public init(codePositions: Int = 32, codeCap: Int = 256, hidden: Int = 300, layers: Int = 2, heads: Int = 2,
                inner: Int = 256, maxLength: Int = 50, hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5,
                layerNormEps: Float = 1e-12, initializerRange: Float = 0.02, temperature: Float = 0.07,
                fakeCodeRatio: Float = 0.75, sinkhornIterations: Int = 3, sinkhornTemperature: Float = 0.7) {
        self.codePositions = codePositions
        self.codeCap = codeCap
        self.size = TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                                    hiddenDropout: hiddenDropout, attentionDropout: attentionDropout,
                                    layerNormEps: layerNormEps, initializerRange: initializerRange)
        self.temperature = temperature
        self.fakeCodeRatio = fakeCodeRatio
        self.sinkhornIterations = sinkhornIterations
        self.sinkhornTemperature = sinkhornTemperature
    }

    /// The reason these values cannot build a network, or nil when they can.
    public var problem: String? {
        if codePositions < 1 || codeCap < 1 {
            return "VQ-Rec needs at least one code per item and one centroid per sub-space, got codes \(codePositions), centroids \(codeCap)"
        }
        if let problem = size.problem(model: "VQ-Rec") { return problem }
        if !(fakeCodeRatio >= 0 && fakeCodeRatio <= 1) { return "VQ-Rec fakeCodeRatio must be in [0, 1], got \(fakeCodeRatio)" }
        if !(temperature > 0 && temperature.isFinite) || !(sinkhornTemperature > 0 && sinkhornTemperature.isFinite) {
            return "VQ-Rec temperatures must be positive numbers, got \(temperature) and Sinkhorn \(sinkhornTemperature)"
        }
        if sinkhornIterations < 1 { return "VQ-Rec needs at least one Sinkhorn iteration, got \(sinkhornIterations)" }
        return nil
    }
}
