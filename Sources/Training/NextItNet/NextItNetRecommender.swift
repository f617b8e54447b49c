// NextItNet as a recommender the trainer and the evaluator can use.
//
// Training reads sequence rows: left-aligned inputs [B, L] and next-item labels [B, L] (0 past the
// row's end, ignored by the loss). Columns past the batch's longest row are cut before the forward
// pass: with causal convolutions a state never reads the columns to its right, so the cut changes
// nothing but time. Scoring reads the hidden state at each row's last real position.

import Datasets
import Models
import Tensors

/// A causal NextItNet trained on next-item prediction at every position.
public final class NextItNetRecommender: TrainableRecommender {
    /// The network.
    public let network: NextItNet
    public let name: String
    /// What training minimises.
    public let objective: NextItemObjective
    /// The item counts the objective's sampler was built from (kept so a checkpoint can rebuild it).
    public let samplerCounts: [Int]?
    /// Why the network starts as it does, when the initialisation was chosen from the data
    /// (`init: "auto"`), e.g. "auto: 8.4 events per item, under 20"; shown in `architecture`.
    public var initialisationReason: String?
    /// Items 1...itemCount (the network's output also has the padding column 0).
    public var itemCount: Int { network.configuration.items - 1 }
    private let graph = Graph()

    /// A NextItNet over `items` ids (padding included) with the given sizes, initialised from `seed`,
    /// trained with `objective` (whose sampler, if it uses counts, was built from `samplerCounts`).
    public init(_ configuration: NextItNetConfiguration, seed: Seed, objective: NextItemObjective = .fullSoftmax,
                samplerCounts: [Int]? = nil, name: String = "nextitnet") {
        precondition(configuration.causal, "NextItNetRecommender needs a causal network; use GRecRecommender for the encoder")
        network = NextItNet(configuration, seed: seed)
        self.objective = objective
        self.samplerCounts = samplerCounts
        self.name = name
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { .sequence }

    public var architecture: String {
        let c = network.configuration
        return "NextItNet: \(itemCount) items, \(c.channels) channels, kernel \(c.kernel), blocks with dilations "
            + c.dilations.map { "(\($0), \(2 * $0))" }.joined(separator: " ") + ", receptive field \(c.receptiveField), loss \(objective)"
            + (c.initialisation == .tf && initialisationReason == nil ? "" : ", init \(c.initialisation.name)")
            + (initialisationReason.map { " (\($0))" } ?? "")
            + (c.reluBeforeOutput ? ", ReLU before the output (TF)" : "")
    }

    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        return [("model", NextItNetFamily.kind)] + NextItNetFamily.entries(c)
            + ObjectiveEntries.entries(objective, counts: samplerCounts)
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let width = max(batch.longest, 1)
        let inputs = leadingColumns(batch.items, batch: batch, width: width)    // [B, L]
        let targets = leadingColumns(batch.labels, batch: batch, width: width)  // [B, L], 0 = no target
        return network.loss(g, inputs: inputs, targets: targets, objective: objective, rng: &rng)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let n = network.configuration.items
        graph.reset()
        graph.withoutRecording {
            let width = max(batch.longest, 1)
            let inputs = leadingColumns(batch.items, batch: batch, width: width)   // [B, L]
            let h = network.forward(graph, inputs)                                 // [B, L, C]
            let rows = graph.reshape(h, [batch.count * width, h.lastDim])          // [B·L, C]
            let last = (0..<batch.count).map { $0 * width + max(Int(batch.lengths[$0]) - 1, 0) }
            let logits = network.scores(graph, hidden: graph.gather(rows, axis: 0, indices: last))   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * n)
        }
    }
}
