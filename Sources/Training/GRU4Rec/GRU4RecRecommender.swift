// GRU4Rec as a recommender the trainer and the evaluator can use.
//
// Training rows are RecBole's by default: one prefix row per training position, the state at its
// last real item predicting the target. With `rows: .sequence` every position predicts its next item
// instead (the original paper's objective). Batches are left-aligned like RecBole's; columns past the
// batch's longest row are cut before the forward pass (a GRU state depends only on the columns at or
// before it, so the cut changes no real position's state), and a history longer than `maxLength`
// keeps its most recent items, as RecBole's MAX_ITEM_LIST_LENGTH does.
// Scoring reads the state at each row's last real position, with no dropout; rows do not interact,
// so scores do not depend on how rows are batched.

import Datasets
import Models
import Tensors

/// A GRU4Rec network trained with RecBole's CE or BPR objective.
public final class GRU4RecRecommender: TrainableRecommender {
    /// The network.
    public let network: GRU4Rec
    public let name: String
    /// What training minimises: `.fullSoftmax` (CE) or `.bpr` (one uniform negative per term).
    public let objective: NextItemObjective
    /// `.prefix` (RecBole: one term per row) or `.sequence` (a term at every position).
    public let rows: RowKind
    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.configuration.items - 1 }
    private let graph = Graph()

    /// A GRU4Rec over `configuration.items` ids (padding included), initialised from `seed`, trained
    /// on `rows` with `objective` (CE or BPR: `GRU4Rec.supports`).
    public init(_ configuration: GRU4RecConfiguration, seed: Seed, objective: NextItemObjective = .fullSoftmax,
                rows: RowKind = .prefix, name: String = "gru4rec") {
        precondition(GRU4Rec.supports(objective), "GRU4Rec trains with CE or BPR, not \(objective)")
        network = GRU4Rec(configuration, seed: seed)
        self.objective = objective
        self.rows = rows
        self.name = name
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { rows }

    public var architecture: String {
        let c = network.configuration
        return "GRU4Rec (RecBole): \(itemCount) items, embedding \(c.embedding), hidden \(c.hidden), \(c.layers) GRU layer\(c.layers == 1 ? "" : "s"), "
            + "max length \(c.maxLength), dropout \(c.dropout), \(rows.rawValue) rows, loss \(objective)"
    }

    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        return [("model", GRU4RecFamily.kind), ("items", String(c.items)), ("embedding", String(c.embedding)),
                ("hidden", String(c.hidden)), ("layers", String(c.layers)), ("maxLength", String(c.maxLength)),
                ("dropout", String(c.dropout)), ("rows", rows.rawValue)]
            + ObjectiveEntries.entries(objective, counts: nil)
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        network.loss(g, batch: batch, rows: rows, objective: objective, rng: &rng)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let n = network.configuration.items
        graph.reset()
        graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.maxLength)
            let logits = network.lastPositionScores(graph, window.take(batch.items), lengths: window.lengths)   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * n)
        }
    }
}

extension GRU4RecRecommender: ItemEmbeddingModel {
    /// The item table [N, E], which is also the output layer.
    public var itemEmbeddings: Tensor { network.itemEmbedding }
    /// Input and output share the item table.
    public var outputEmbeddings: Tensor? { nil }
}
