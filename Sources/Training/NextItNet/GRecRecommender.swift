// The GRec encoder (non-causal NextItNet with a masked-item objective) as a recommender.
//
// Training: each sequence row becomes the whole window (its inputs followed by its last label), is
// masked with `ClozeMasking` from the trainer's stream, and the loss is the cross-entropy of the
// original ids at the masked slots. Scoring: the history followed by the mask token, read at the
// mask slot — the encoder fills in "the next item" as it learned to fill in masked ones.
//
// Every row is laid out at the batch's full width (max length + 1), never trimmed to the batch's
// longest row: a non-causal convolution near the end of a row reads the positions to its right,
// and padding ids there are not the same input as the convolution's zero padding, so trimming
// would make a row's scores depend on which rows share its batch. (The reference pads every
// sequence to one fixed length, too.)

import Datasets
import Models
import Tensors

/// A GRec encoder trained to recover masked items, scoring the next item through a mask slot.
public final class GRecRecommender: TrainableRecommender {
    /// The encoder and its masking.
    public let grec: GRec
    public let name: String
    public var itemCount: Int { grec.network.configuration.items - 1 }
    private let graph = Graph()

    /// A GRec encoder over `configuration.items` ids (padding included), initialised from `seed`.
    public init(_ configuration: NextItNetConfiguration, seed: Seed, masking: ClozeMasking = ClozeMasking(), name: String = "grec") {
        grec = GRec(configuration, seed: seed, masking: masking)
        self.name = name
    }

    public var parameters: [Tensor] { grec.parameters }
    public var trainingRowKind: RowKind { .sequence }

    public var architecture: String {
        let c = grec.network.configuration
        return "GRec encoder (non-causal): \(itemCount) items, \(c.channels) channels, kernel \(c.kernel), blocks with dilations "
            + c.dilations.map { "(\($0), \(2 * $0))" }.joined(separator: " ")
            + ", masking \(grec.masking.probability) of each row (at most \(grec.masking.maxPredictions))"
            + (c.initialisation == .tf ? "" : ", init \(c.initialisation.name)")
    }

    public var configurationEntries: [(String, String)] {
        let c = grec.network.configuration
        return [("model", GRecFamily.kind)] + NextItNetFamily.entries(c)
            + [("maskProbability", String(grec.masking.probability)), ("maxPredictions", String(grec.masking.maxPredictions))]
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        // Whole windows [B, L + 1]: the first input, then the labels (inputs shifted by one).
        let width = batch.width + 1
        var values = [Int32](repeating: 0, count: batch.count * width)
        for b in 0..<batch.count where batch.lengths[b] > 0 {
            values[b * width] = batch.items[b * batch.width]
            for c in 0..<(width - 1) { values[b * width + 1 + c] = batch.labels[b * batch.width + c] }
        }
        return grec.loss(g, sequences: IndexTensor(shape: [batch.count, width], values: values), rng: &rng)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let n = grec.network.configuration.items
        graph.reset()
        graph.withoutRecording {
            // [B, L + 1]: the history, the mask token right after it, padding to the right.
            let width = batch.width + 1
            var values = [Int32](repeating: 0, count: batch.count * width)
            for b in 0..<batch.count {
                let length = Int(batch.lengths[b])
                for c in 0..<length { values[b * width + c] = batch.items[b * batch.width + c] }
                values[b * width + length] = grec.maskToken
            }
            let h = grec.network.forward(graph, IndexTensor(shape: [batch.count, width], values: values))   // [B, L+1, C]
            let rows = graph.reshape(h, [batch.count * width, h.lastDim])
            let slots = (0..<batch.count).map { $0 * width + Int(batch.lengths[$0]) }
            let logits = grec.network.scores(graph, hidden: graph.gather(rows, axis: 0, indices: slots))    // [B, N]
            scores.update(from: logits.pointer, count: batch.count * n)
        }
    }
}
