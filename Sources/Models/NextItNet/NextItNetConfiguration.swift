// The hyperparameters of a NextItNet-style network of dilated residual blocks (Yuan et al., WSDM
// 2019; reference/yuan-models.md §2). One struct serves the causal NextItNet and the non-causal GRec
// encoder (§3.1), which differ only in the convolution's padding and in one extra input token.

/// Sizes and initialisation of a NextItNet (or GRec encoder) network.
public struct NextItNetConfiguration: Sendable, Equatable {
    /// Number of item ids including the padding id 0: the output scores all of them (N).
    public var items: Int
    /// Embedding width, which is also the width of every convolution (C).
    public var channels: Int
    /// Convolution kernel width (k); 3 in every reference script.
    public var kernel: Int
    /// One entry d per residual block; the block's two convolutions use dilations d and 2d, so the
    /// seed code's [1, 4, 1, 4] means conv dilations 1, 2, 4, 8, 1, 2, 4, 8.
    public var dilations: [Int]
    /// Layer-norm epsilon inside the square root (1e-8 in the TF reference and the golden case).
    public var layerNormEps: Float
    /// Standard deviation of the truncated-normal initialisation of embedding, convolution and
    /// output weights (TF's 0.02, resampled beyond two standard deviations) under the `.tf` scheme.
    public var initStd: Float
    /// How the weights are drawn: the TF original's, PyTorch's module defaults, or RecBole's.
    public var initialisation: NextItNetInitialisation
    /// True for NextItNet (position t sees ids ≤ t); false for the GRec encoder ("same" padding).
    public var causal: Bool
    /// Input-only tokens appended after the items (ids N, N+1, ...): GRec's mask token. They get
    /// embedding rows but are never scored.
    public var extraInputTokens: Int
    /// Apply ReLU to the hidden state before the output projection, as the TF full-softmax graph
    /// does (`ReLU(H) @ Wo + bo`). Off by default because the golden case and the PyTorch bench
    /// project H directly.
    public var reluBeforeOutput: Bool

    /// A configuration; defaults follow the reference demos (C 64, k 3, [1, 4, 1, 4], eps 1e-8).
    public init(items: Int, channels: Int = 64, kernel: Int = 3, dilations: [Int] = [1, 4, 1, 4],
                layerNormEps: Float = 1e-8, initStd: Float = 0.02, causal: Bool = true,
                extraInputTokens: Int = 0, reluBeforeOutput: Bool = false,
                initialisation: NextItNetInitialisation = .tf) {
        precondition(items >= 2, "NextItNet needs at least one item besides padding, got items \(items)")
        precondition(channels >= 1 && kernel >= 1, "NextItNet needs positive channels and kernel")
        precondition(!dilations.isEmpty && dilations.allSatisfy { $0 >= 1 },
                     "NextItNet needs at least one block and positive dilations, got \(dilations)")
        precondition(extraInputTokens >= 0, "extraInputTokens must not be negative")
        self.items = items
        self.channels = channels
        self.kernel = kernel
        self.dilations = dilations
        self.layerNormEps = layerNormEps
        self.initStd = initStd
        self.causal = causal
        self.extraInputTokens = extraInputTokens
        self.reluBeforeOutput = reluBeforeOutput
        self.initialisation = initialisation
    }

    /// The largest sizes SeqLab builds (NextItNet, GRec, and Conure's backbone): the language checks
    /// arguments against them and checkpoints are read against them, so a damaged or mistyped size
    /// is an error before gigabytes are asked for.
    public enum Bounds {
        /// Item ids, padding included.
        public static let items = 2...(1 << 26)
        /// Embedding and hidden width C.
        public static let channels = 1...4096
        /// Convolution width k.
        public static let kernel = 1...64
        /// Residual blocks (entries of `dilations`).
        public static let blocks = 1...64
        /// One block's dilation d.
        public static let dilation = 1...1024
    }

    /// The reason these sizes cannot build a network, or nil when they can (for values that arrive
    /// from users: the language, checkpoints).
    public static func problem(items: Int, channels: Int, kernel: Int, dilations: [Int]) -> String? {
        if !Bounds.items.contains(items) { return "items must be from \(Bounds.items.lowerBound) to \(Bounds.items.upperBound), got \(items)" }
        if !Bounds.channels.contains(channels) { return "channels must be from 1 to \(Bounds.channels.upperBound), got \(channels)" }
        if !Bounds.kernel.contains(kernel) { return "kernel must be from 1 to \(Bounds.kernel.upperBound), got \(kernel)" }
        if !Bounds.blocks.contains(dilations.count) {
            return "give between 1 and \(Bounds.blocks.upperBound) dilations, e.g. [1, 4, 1, 4]"
        }
        if !dilations.allSatisfy(Bounds.dilation.contains) {
            return "dilations must be whole numbers from 1 to \(Bounds.dilation.upperBound), e.g. [1, 4, 1, 4]"
        }
        return nil
    }

    /// Rows of the embedding table: the items plus the input-only tokens.
    public var embeddingRows: Int { items + extraInputTokens }

    /// Positions one causal hidden state depends on, itself included: 1 + (k − 1) · Σ (d + 2d) over
    /// blocks, i.e. 1 + 6·Σd for k = 3 (121 for [1, 4] × 4). Non-causal: the reach on each side + 1.
    public var receptiveField: Int { 1 + (kernel - 1) * dilations.reduce(0) { $0 + 3 * $1 } }
}
