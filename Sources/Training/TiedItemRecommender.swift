// The recommender adapter of the networks that score against their own item table and train with
// RecBole's CE or BPR (`TiedItemNetwork`: SASRec, GRU4Rec).
//
// Training rows are RecBole's by default: one prefix row per training position, the state at its
// last real item predicting the target. With `rows: .sequence` every position predicts its next item
// instead. Batches are left-aligned like RecBole's, so column c is position c; columns past the
// batch's longest row are cut before the forward pass, and a history longer than `maxLength` keeps
// its most recent items, as RecBole's do (`RecentWindow`). Scoring reads the state at each row's
// last real position, with no dropout; rows do not interact, so scores do not depend on how rows
// are batched.

import Datasets
import Models
import Tensors

/// What a tied-item network's family says about it in architecture lines and checkpoints.
public protocol TiedItemFamilyNetwork: TiedItemNetwork {
    /// The family's kind (the checkpoint's "model" entry).
    static var kind: String { get }
    /// The sizes as architecture lines show them ("hidden 64, 2 layers × 2 heads, ...").
    var sizeSummary: String { get }
    /// The sizes as checkpoint entries, after "items" (the family's `rebuild` reads them back).
    var sizeEntries: [(String, String)] { get }
}

/// A tied-item network trained with RecBole's CE or BPR objective on prefix or sequence rows.
public final class TiedItemRecommender<Network: TiedItemFamilyNetwork>: TrainableRecommender {
    /// The network.
    public let network: Network
    public let name: String
    /// What training minimises: `.fullSoftmax` (CE) or `.bpr` (one uniform negative per term).
    public let objective: NextItemObjective
    /// `.prefix` (RecBole: one term per row) or `.sequence` (a term at every position).
    public let rows: RowKind
    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.items - 1 }
    let graph = Graph()

    /// A network of `configuration`, initialised from `seed`, trained on `rows` with `objective` (CE
    /// or BPR); named `name`, else the family's kind.
    public init(_ configuration: Network.Configuration, seed: Seed, objective: NextItemObjective = .fullSoftmax,
                rows: RowKind = .prefix, name: String? = nil) {
        precondition(Network.supports(objective), "\(Network.modelName) trains with CE or BPR, not \(objective)")
        network = Network(configuration, seed: seed)
        self.objective = objective
        self.rows = rows
        self.name = name ?? Network.kind
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { rows }

    public var architecture: String {
        "\(Network.modelName) (RecBole): \(itemCount) items, \(network.sizeSummary), \(rows.rawValue) rows, loss \(objective)"
    }

    public var configurationEntries: [(String, String)] {
        [("model", Network.kind), ("items", String(network.items))] + network.sizeEntries + [("rows", rows.rawValue)]
            + ObjectiveEntries.entries(objective, counts: nil)
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let window = RecentWindow(batch, maxLength: network.maxLength)
        let inputs = window.take(batch.items)                                                 // [B, W]
        switch rows {
        case .prefix:
            return network.prefixLoss(g, inputs: inputs, lengths: window.lengths, targets: window.targets,   // [B]
                                      objective: objective, rng: &rng)
        case .sequence:
            return network.sequenceLoss(g, inputs: inputs, targets: window.take(batch.labels),   // [B, W] each
                                        objective: objective, rng: &rng)
        }
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        graph.reset()
        graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.maxLength)
            let logits = network.lastPositionScores(graph, window.take(batch.items), lengths: window.lengths)   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * network.items)
        }
    }
}

extension TiedItemRecommender: ItemEmbeddingModel {
    /// The item table, which is also the output layer.
    public var itemEmbeddings: Tensor { network.itemEmbedding }
    /// Input and output share the item table.
    public var outputEmbeddings: Tensor? { nil }
}
