// The hyperparameters of BERT4Rec as RecBole 1.0.1 implements it (reference/text-models.md §2,
// `properties/model/BERT4Rec.yaml` of v1.0.1): 2 layers, 2 heads, hidden 64, inner 256, dropouts
// 0.5/0.5, exact-erf GELU, layer-norm eps 1e-12, N(0, 0.02) initialisation, mask_ratio 0.2, max
// length 50. (RecBole ≥ 1.2.0 defaults to dropouts 0.2/0.2; see BERT4Rec.swift for why 1.0.1.)

/// Sizes, dropouts, masking and initialisation of a BERT4Rec network.
public struct BERT4RecConfiguration: TransformerConfiguration, Sendable, Equatable {
    /// Number of item ids including the padding id 0 (N). The item table has N + 1 rows (the last
    /// is the mask token, id N); the scores have N columns.
    public var items: Int
    /// The encoder's sizes, read as `configuration.hidden` and so on. Its position table has
    /// maxLength + 1 rows because prediction appends a mask token after the history.
    public var size: TransformerSize
    /// Probability that each real position of a training row is replaced by the mask token
    /// (mask_ratio).
    public var maskRatio: Double

    /// A configuration; defaults are RecBole 1.0.1's BERT4Rec.yaml.
    public init(items: Int, hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256, maxLength: Int = 50,
                hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5, maskRatio: Double = 0.2,
                layerNormEps: Float = 1e-12, initializerRange: Float = 0.02) {
        self.init(items: items, size: TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                                                      hiddenDropout: hiddenDropout, attentionDropout: attentionDropout,
                                                      layerNormEps: layerNormEps, initializerRange: initializerRange),
                  maskRatio: maskRatio)
    }

    /// A configuration of `items` ids over an encoder of `size`, masking `maskRatio` of each row.
    public init(items: Int, size: TransformerSize, maskRatio: Double) {
        if let problem = Self.problem(items: items, size: size, maskRatio: maskRatio) { preconditionFailure(problem) }
        self.items = items
        self.size = size
        self.maskRatio = maskRatio
    }

    /// The id that replaces masked items: N, one past the last item.
    public var maskToken: Int32 { Int32(items) }

    /// At most this many masked positions per row count in the loss (RecBole's
    /// mask_item_length = int(mask_ratio · max length); the most recent ones are kept).
    public var maxPredictions: Int { Self.maxPredictions(maskRatio: maskRatio, maxLength: size.maxLength) }

    static func maxPredictions(maskRatio: Double, maxLength: Int) -> Int { Int(maskRatio * Double(maxLength)) }

    /// The reason these settings cannot build a network, or nil when they can (for inputs that
    /// arrive as values: the language, checkpoints).
    public static func problem(items: Int, size: TransformerSize, maskRatio: Double) -> String? {
        if items < 2 { return "BERT4Rec needs at least one item besides padding, got items \(items)" }
        if items >= Int(Int32.max) { return "BERT4Rec: \(items) items leave no Int32 id for the mask token" }
        if let problem = size.problem(model: "BERT4Rec") { return problem }
        if !(maskRatio > 0 && maskRatio <= 1) { return "BERT4Rec mask ratio must be in (0, 1], got \(maskRatio)" }
        if maxPredictions(maskRatio: maskRatio, maxLength: size.maxLength) < 1 {
            // RecBole would pad the masked-position list to length 0 and divide 0 by 0.
            return "BERT4Rec: mask ratio \(maskRatio) × max length \(size.maxLength) leaves no masked position to predict (int(ratio · length) must be at least 1)"
        }
        return nil
    }
}
