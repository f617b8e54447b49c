// The hyperparameters of GRU4Rec as RecBole 1.2.1 implements it (`properties/model/GRU4Rec.yaml`):
// embedding 64, hidden 128, 1 layer, dropout 0.3 on the item embeddings, CE loss; plus RecBole's
// dataset-level MAX_ITEM_LIST_LENGTH (50), the longest history read.

/// Sizes and dropout of a GRU4Rec network.
public struct GRU4RecConfiguration: Sendable, Equatable {
    /// Number of item ids including the padding id 0 (N): the item table has N rows and the
    /// scores N columns (RecBole's n_items).
    public var items: Int
    /// Width of the item embeddings (E): the GRU's input and the dense layer's output, which is
    /// scored against the same table (RecBole's embedding_size).
    public var embedding: Int
    /// Width of the GRU state (H; RecBole's hidden_size).
    public var hidden: Int
    /// Number of stacked GRU layers (RecBole's num_layers); no dropout between them.
    public var layers: Int
    /// Dropout on the item embeddings before the GRU (RecBole's dropout_prob).
    public var dropout: Float
    /// The longest history the network reads (RecBole's MAX_ITEM_LIST_LENGTH): longer histories
    /// keep their most recent `maxLength` items. The network has no position table; this bounds
    /// the work per row and makes the truncation RecBole's.
    public var maxLength: Int

    /// A configuration; defaults are RecBole's GRU4Rec.yaml and MAX_ITEM_LIST_LENGTH.
    public init(items: Int, embedding: Int = 64, hidden: Int = 128, layers: Int = 1, dropout: Float = 0.3,
                maxLength: Int = 50) {
        if let problem = Self.problem(items: items, embedding: embedding, hidden: hidden, layers: layers,
                                      dropout: dropout, maxLength: maxLength) {
            preconditionFailure(problem)
        }
        self.items = items
        self.embedding = embedding
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
        self.maxLength = maxLength
    }

    /// The largest sizes SeqLab builds: the language checks arguments against them and checkpoints
    /// are read against them, so a typo or a damaged entry is an error before gigabytes are asked for.
    public enum Bounds {
        /// Item embedding width E.
        public static let embedding = 1...4096
        /// GRU state width H.
        public static let hidden = 1...4096
        /// Stacked GRU layers.
        public static let layers = 1...64
        /// The longest history read.
        public static let maxLength = 1...100_000
    }

    /// The reason these sizes cannot build a network, or nil when they can (for inputs that arrive
    /// as values: the language, checkpoints).
    public static func problem(items: Int, embedding: Int, hidden: Int, layers: Int, dropout: Float,
                               maxLength: Int) -> String? {
        if items < 2 { return "GRU4Rec needs at least one item besides padding, got items \(items)" }
        if embedding < 1 || hidden < 1 || layers < 1 || maxLength < 1 {
            return "GRU4Rec needs positive embedding, hidden, layers and maxLength; got embedding \(embedding), hidden \(hidden), layers \(layers), maxLength \(maxLength)"
        }
        for (name, value, range) in [("embedding", embedding, Bounds.embedding), ("hidden", hidden, Bounds.hidden),
                                     ("layers", layers, Bounds.layers), ("maxLength", maxLength, Bounds.maxLength)]
            where !range.contains(value) {
            return "GRU4Rec \(name) must be at most \(range.upperBound), got \(value)"
        }
        if !(dropout >= 0 && dropout < 1) { return "GRU4Rec dropout must be in [0, 1), got \(dropout)" }
        return nil
    }
}
