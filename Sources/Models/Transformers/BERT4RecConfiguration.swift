// The hyperparameters of BERT4Rec as RecBole 1.0.1 implements it (reference/text-models.md §2,
// `properties/model/BERT4Rec.yaml` of v1.0.1): 2 layers, 2 heads, hidden 64, inner 256, dropouts
// 0.5/0.5, exact-erf GELU, layer-norm eps 1e-12, N(0, 0.02) initialisation, mask_ratio 0.2, max
// length 50. (RecBole ≥ 1.2.0 defaults to dropouts 0.2/0.2; see BERT4Rec.swift for why 1.0.1.)
// `recbole: .v1_2_1` builds RecBole 1.2.1's class instead (Docs/fidelity.md B1, B2): the output
// head and bias, a position table of maxLength rows and its prediction layout. What differs between
// the two is stated once, in `BERT4RecConfiguration.RecBoleRelease`; everything else is shared.

/// Sizes, dropouts, masking and initialisation of a BERT4Rec network.
public struct BERT4RecConfiguration: TransformerConfiguration, Sendable, Equatable {
    /// Number of item ids including the padding id 0 (N). The item table has N + 1 rows (the last
    /// is the mask token, id N); the scores have N columns.
    public var items: Int
    /// The encoder's sizes, read as `configuration.hidden` and so on. Its position table has
    /// `positionRows` rows: maxLength + 1 in 1.0.1, because prediction appends a mask token after
    /// the history.
    public var size: TransformerSize
    /// Probability that each real position of a training row is replaced by the mask token
    /// (mask_ratio).
    public var maskRatio: Double
    /// Which RecBole release's BERT4Rec this is: 1.0.1 (the default, the papers' baseline) or 1.2.1.
    public var recbole: RecBoleRelease

    /// The RecBole releases whose BERT4Rec SeqLab builds, and every way in which they differ.
    public enum RecBoleRelease: String, Sendable, Equatable, CaseIterable {
        /// RecBole 1.0.1: no output head; prediction appends the mask after the whole history.
        case v1_0_1 = "1.0.1"
        /// RecBole 1.2.1: an output head and bias; prediction drops the oldest history item.
        case v1_2_1 = "1.2.1"

        /// Whether the logits go through `output_ffn` (Linear H → H), GELU, `output_ln` and add
        /// `output_bias` [N] (1.2.1's `forward` and `full_sort_predict`).
        public var hasOutputHead: Bool { self == .v1_2_1 }

        /// Rows of the position table beyond maxLength: 1.0.1 has one for the mask appended after a
        /// full history; 1.2.1's `nn.Embedding(max_seq_length, H)` has none.
        public var extraPositionRows: Int { self == .v1_0_1 ? 1 : 0 }

        /// Whether prediction drops the oldest history item: 1.2.1's `reconstruct_test_data` writes
        /// the mask at column `len` of a max_len + 1 row and then drops column 0, so every history,
        /// full or not, is read without its first item.
        public var dropsOldestItemAtPrediction: Bool { self == .v1_2_1 }
    }

    /// A configuration; defaults are RecBole 1.0.1's BERT4Rec.yaml (dropouts included, whichever
    /// `recbole` is chosen).
    public init(items: Int, hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256, maxLength: Int = 50,
                hiddenDropout: Float = 0.5, attentionDropout: Float = 0.5, maskRatio: Double = 0.2,
                layerNormEps: Float = 1e-12, initializerRange: Float = 0.02, recbole: RecBoleRelease = .v1_0_1) {
        self.init(items: items, size: TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                                                      hiddenDropout: hiddenDropout, attentionDropout: attentionDropout,
                                                      layerNormEps: layerNormEps, initializerRange: initializerRange),
                  maskRatio: maskRatio, recbole: recbole)
    }

    /// A configuration of `items` ids over an encoder of `size`, masking `maskRatio` of each row, as
    /// RecBole `recbole` builds it.
    public init(items: Int, size: TransformerSize, maskRatio: Double, recbole: RecBoleRelease = .v1_0_1) {
        if let problem = Self.problem(items: items, size: size, maskRatio: maskRatio) { preconditionFailure(problem) }
        self.items = items
        self.size = size
        self.maskRatio = maskRatio
        self.recbole = recbole
    }

    /// The id that replaces masked items: N, one past the last item.
    public var maskToken: Int32 { Int32(items) }

    /// Rows of the position table: maxLength + 1 (1.0.1) or maxLength (1.2.1). Training rows and
    /// prediction rows are at most this wide.
    public var positionRows: Int { size.maxLength + recbole.extraPositionRows }

    /// The column of a prediction row that holds the mask token, for a history of `length` items
    /// (≤ maxLength): `length` (1.0.1), or `length − 1` after the oldest item is dropped (1.2.1;
    /// RecBole reads `item_seq_len − 1`). An empty history, which RecBole never scores, puts the
    /// mask at column 0 in both.
    public func maskSlot(length: Int) -> Int {
        recbole.dropsOldestItemAtPrediction ? max(length - 1, 0) : length
    }

    /// The width of the prediction rows for histories of at most `longest` items (≤ maxLength):
    /// room for the items read and the mask slot, longest + 1 (1.0.1) or max(longest, 1) (1.2.1).
    public func predictionWidth(longest: Int) -> Int { maskSlot(length: longest) + 1 }

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
