// The hyperparameters of SASRec as RecBole implements it (reference/text-models.md §1,
// `properties/model/SASRec.yaml`): 2 layers, 2 heads, hidden 64, inner 256, dropouts 0.5/0.5,
// exact-erf GELU, layer-norm eps 1e-12, N(0, 0.02) initialisation, max length 50.

/// Sizes, dropouts and initialisation of a SASRec network.
public struct SASRecConfiguration: TransformerConfiguration, Sendable, Equatable {
    /// Number of item ids including the padding id 0 (N): the item table has N rows and the
    /// scores N columns.
    public var items: Int
    /// The encoder's sizes (hidden, layers, heads, inner, maxLength, dropouts, initialisation),
    /// read as `configuration.hidden` and so on.
    public var size: TransformerSize

    /// A configuration; defaults are RecBole's SASRec.yaml.
    public init(items: Int, hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256, maxLength: Int = 50,
                hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5, layerNormEps: Float = 1e-12,
                initializerRange: Float = 0.02) {
        self.init(items: items, size: TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                                                      hiddenDropout: hiddenDropout, attentionDropout: attentionDropout,
                                                      layerNormEps: layerNormEps, initializerRange: initializerRange))
    }

    /// A configuration of `items` ids over an encoder of `size`.
    public init(items: Int, size: TransformerSize) {
        if let problem = Self.problem(items: items, size: size) { preconditionFailure(problem) }
        self.items = items
        self.size = size
    }

    /// The reason these sizes cannot build a network, or nil when they can (for inputs that arrive
    /// as values: the language, checkpoints).
    public static func problem(items: Int, size: TransformerSize) -> String? {
        if items < 2 { return "SASRec needs at least one item besides padding, got items \(items)" }
        return size.problem(model: "SASRec")
    }
}
