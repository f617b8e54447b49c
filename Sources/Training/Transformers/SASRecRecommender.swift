// SASRec as a recommender the trainer and the evaluator can use.
//
// Training rows are RecBole's by default: one prefix row per training position, the hidden state at
// its last real item predicting the target. With `rows: .sequence` every position predicts its next
// item instead (original SASRec). Batches are left-aligned like RecBole's, so column c is position c;
// columns past the batch's longest row are cut before the forward pass (a query attends only to
// keys at or before it, so the cut changes no real position's state), and a history longer than the
// position table keeps its most recent `maxLength` items, as RecBole's do.
// Scoring reads the hidden state at each row's last real position, with no dropout; rows do not
// interact, so scores do not depend on how rows are batched.

import Datasets
import Models
import Tensors

/// A SASRec network trained with RecBole's CE or BPR objective.
public final class SASRecRecommender: TrainableRecommender {
    /// The network.
    public let network: SASRec
    public let name: String
    /// What training minimises: `.fullSoftmax` (CE) or `.bpr` (one uniform negative per term).
    public let objective: NextItemObjective
    /// `.prefix` (RecBole: one term per row) or `.sequence` (a term at every position).
    public let rows: RowKind
    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.configuration.items - 1 }
    private let graph = Graph()

    /// A SASRec over `configuration.items` ids (padding included), initialised from `seed`, trained
    /// on `rows` with `objective` (CE or BPR: `SASRec.supports`).
    public init(_ configuration: SASRecConfiguration, seed: Seed, objective: NextItemObjective = .fullSoftmax,
                rows: RowKind = .prefix, name: String = "sasrec") {
        precondition(SASRec.supports(objective), "SASRec trains with CE or BPR, not \(objective)")
        network = SASRec(configuration, seed: seed)
        self.objective = objective
        self.rows = rows
        self.name = name
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { rows }

    public var architecture: String {
        let c = network.configuration
        return "SASRec (RecBole): \(itemCount) items, \(c.size.summary), \(rows.rawValue) rows, loss \(objective)"
    }

    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        return [("model", SASRecFamily.kind), ("items", String(c.items))] + c.size.entries + [("rows", rows.rawValue)]
            + ObjectiveEntries.entries(objective, counts: nil)
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        network.loss(g, batch: batch, rows: rows, objective: objective, rng: &rng)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        _ = run(batch, into: scores)
    }

    /// Scores `batch` as `score(_:into:)` does and returns the attention maps of that same forward
    /// pass, one per layer [B, heads, W, W] (W = the columns read: the batch's longest history, at
    /// most maxLength; row b's real positions are 0 ..< min(length, maxLength)).
    public func scoreKeepingAttention(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        run(batch, into: scores).map { $0.detachedCopy() }
    }

    /// The evaluation forward: writes scores [B, N] and returns the maps (arena tensors).
    private func run(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        let n = network.configuration.items
        graph.reset()
        return graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.maxLength)
            let out = network.forward(graph, window.take(batch.items))                       // [B, W, H]
            let logits = network.scores(graph, hidden: network.lastHidden(graph, out.hidden, lengths: window.lengths))   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * n)
            return out.attention
        }
    }
}

extension SASRecRecommender: ItemEmbeddingModel {
    /// The item table [N, H], which is also the output layer.
    public var itemEmbeddings: Tensor { network.itemEmbedding }
    /// Input and output share the item table.
    public var outputEmbeddings: Tensor? { nil }
}
