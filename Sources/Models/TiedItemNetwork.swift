// The networks that score a history against their own item table and train with RecBole's CE or
// BPR on prefix or sequence rows: SASRec and GRU4Rec. One recommender adapter (Training's
// `TiedItemRecommender`) serves both through this protocol.

import Tensors

/// A network scored against its own item table, trained with RecBole's objectives.
public protocol TiedItemNetwork: AnyObject {
    /// Its sizes.
    associatedtype Configuration
    /// A network of `configuration`, initialised from the stream named "init" of `seed`.
    init(_ configuration: Configuration, seed: Seed)
    /// The name architecture lines and messages use.
    static var modelName: String { get }
    /// Item ids N, padding included (the scores' columns).
    var items: Int { get }
    /// The longest history it reads; longer ones keep their most recent items.
    var maxLength: Int { get }
    /// Every parameter in a stable order.
    var parameters: [Tensor] { get }
    /// Item table [N, ·], also the output layer.
    var itemEmbedding: Tensor { get }
    /// Histories [B, L] (left-aligned, `lengths` real items each) predict `targets` [B] from each
    /// row's last real position; a target of 0 is not counted. Dropout on.
    func prefixLoss(_ g: Graph, inputs: IndexTensor, lengths: [Int], targets: IndexTensor,
                    objective: NextItemObjective, rng: inout RandomStream) -> Tensor
    /// Inputs [B, L] predict targets [B, L] (the inputs shifted by one; 0 not counted). Dropout on.
    func sequenceLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor,
                      objective: NextItemObjective, rng: inout RandomStream) -> Tensor
    /// No dropout: ids [B, L], lengths [B] → scores [B, N] from each row's last real position.
    func lastPositionScores(_ g: Graph, _ ids: IndexTensor, lengths: [Int]) -> Tensor
}

extension TiedItemNetwork {
    /// The objectives it trains with: RecBole's two (CE, BPR).
    public static func supports(_ objective: NextItemObjective) -> Bool { objective.isRecBoleObjective }

    /// Logits over all N items (padding column 0 included) for rows [R, W] (or [..., W]) against the
    /// item table [N, W]: rows E_itemᵀ → [R, N]. Callers score a block of rows at a time.
    public func tableScores(_ g: Graph, _ rows: Tensor) -> Tensor {
        let width = itemEmbedding.shape[1]
        precondition(rows.lastDim == width, "\(Self.modelName).scores: rows need \(width) channels, got \(rows.shape)")
        return g.matmul(g.reshape(rows, [rows.rows, width]), itemEmbedding, transposeB: true)   // [R, N]
    }
}
