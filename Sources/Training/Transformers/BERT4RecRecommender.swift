// BERT4Rec as a recommender the trainer and the evaluator can use.
//
// Training rows are RecBole 1.0.1's by default (`rows: .prefix`): every prefix row of the split is
// one training sequence, its history (the most recent maxLength items) is Cloze-masked and the
// masked items are predicted; the row's target is not read, exactly as RecBole's
// `reconstruct_train_data` reads only the history field. That costs one sequence per prefix (as
// RecBole's does). `rows: .sequence` trains on whole windows instead, each window being its inputs
// followed by its target (at most maxLength + 1 items, which the position table holds), so each
// event is in one or two sequences rather than in every later prefix: cheaper, and the last training
// item is masked too. Training batches are cut to their longest row: padding keys are masked, so the
// cut changes no real position's math.
// Scoring: the most recent min(length, maxLength) history items, the mask token right after them,
// read at the mask slot with no dropout. Rows are laid out at one fixed width per evaluation,
// min(batch width, maxLength) + 1, never at the batch's longest row: masked keys still add a
// subnormal at most to the softmax and change the GEMM shapes, so a per-batch width could move a
// row's scores in the last bit depending on its batch-mates; a fixed width cannot.
// RecBole 1.2.1's variant (`recbole: .v1_2_1`, BERT4Rec.swift) reads the same items less the oldest,
// the mask in its place at the end, min(batch width, maxLength) columns wide; its position table has
// maxLength rows, so its `.sequence` training rows keep the most recent maxLength items of inputs and
// target rather than maxLength + 1.

import Datasets
import Models
import Tensors

/// A BERT4Rec network (RecBole 1.0.1's, or 1.2.1's with its output head) trained with RecBole's
/// masked-item objective, scoring through an appended mask token.
public final class BERT4RecRecommender: TrainableRecommender {
    /// The network (its configuration holds the masking ratio).
    public let network: BERT4Rec
    public let name: String
    /// `.prefix` (RecBole: each prefix row's history is one masked sequence) or `.sequence` (whole
    /// windows: inputs and target).
    public let rows: RowKind
    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.configuration.items - 1 }
    private let graph = Graph()

    /// A BERT4Rec over `configuration.items` ids (padding included; the mask token is one more),
    /// initialised from `seed`, trained on `rows`.
    public init(_ configuration: BERT4RecConfiguration, seed: Seed, rows: RowKind = .prefix, name: String = "bert4rec") {
        network = BERT4Rec(configuration, seed: seed)
        self.rows = rows
        self.name = name
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { rows }

    public var architecture: String {
        let c = network.configuration
        let head = c.recbole.hasOutputHead ? ", output head and bias" : ""
        let layout = c.recbole.dropsOldestItemAtPrediction ? ", predicts without the oldest history item" : ""
        return "BERT4Rec (RecBole \(c.recbole.rawValue)\(head)): \(itemCount) items + mask token, \(c.size.summary), "
            + "mask ratio \(c.maskRatio) (≤ \(c.maxPredictions) predicted per row), \(rows.rawValue) rows\(layout)"
    }

    /// The saved configuration; "recbole" is written only for 1.2.1, so a 1.0.1 model's entries (and
    /// the run identities and checkpoints made from them) are what they were before the variant.
    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        return [("model", BERT4RecFamily.kind), ("items", String(c.items))] + c.size.entries
            + [("maskRatio", String(c.maskRatio)), ("rows", rows.rawValue)]
            + (c.recbole == .v1_0_1 ? [] : [("recbole", c.recbole.rawValue)])
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        network.loss(g, sequences: trainingSequences(batch), rng: &rng)
    }

    /// The sequences one batch trains on, left-aligned [B, W], W = the longest of them: prefix rows
    /// give their history (at most maxLength items), sequence rows their history and target (at most
    /// maxLength + 1, or maxLength where the position table has no more rows: 1.2.1), the most
    /// recent items kept.
    func trainingSequences(_ batch: Batch) -> IndexTensor {
        let withTarget = rows == .sequence
        let cap = min(network.configuration.maxLength + (withTarget ? 1 : 0), network.configuration.positionRows)
        let full = (0..<batch.count).map { Int(batch.lengths[$0]) + (withTarget && batch.lengths[$0] > 0 ? 1 : 0) }
        let kept = full.map { min($0, cap) }
        let width = max(kept.max() ?? 0, 1)
        var values = [Int32](repeating: 0, count: batch.count * width)
        for b in 0..<batch.count {
            let length = Int(batch.lengths[b])
            let skip = full[b] - kept[b]          // oldest items dropped
            for c in 0..<kept[b] {
                let i = skip + c                  // index into history ++ [target]
                values[b * width + c] = i < length ? batch.items[b * batch.width + i] : batch.targets[b]
            }
        }
        return IndexTensor(shape: [batch.count, width], values: values)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        _ = run(batch, into: scores)
    }

    /// Scores `batch` as `score(_:into:)` does and returns the attention maps of that same forward
    /// pass, one per layer [B, heads, W, W] (1.0.1: W = min(batch width, maxLength) + 1, row b's
    /// real positions 0 ... min(length, maxLength), the last being its mask slot; 1.2.1: W one less
    /// and the oldest item not read, so its mask slot is at min(length, maxLength) − 1, or 0).
    public func scoreKeepingAttention(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        run(batch, into: scores).map { $0.detachedCopy() }
    }

    /// The evaluation forward: writes scores [B, N] and returns the maps (arena tensors).
    private func run(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        let c = network.configuration
        let visible = min(batch.width, c.maxLength)
        let lengths = (0..<batch.count).map { min(Int(batch.lengths[$0]), visible) }
        // The most recent `lengths[b]` items of each row, left-aligned [B, visible].
        var recent = [Int32](repeating: 0, count: batch.count * visible)
        for b in 0..<batch.count {
            let skip = Int(batch.lengths[b]) - lengths[b]
            for i in 0..<lengths[b] { recent[b * visible + i] = batch.items[b * batch.width + skip + i] }
        }
        graph.reset()
        return graph.withoutRecording {
            let inputs = network.predictionInputs(IndexTensor(shape: [batch.count, visible], values: recent),
                                                  lengths: lengths, width: c.predictionWidth(longest: visible))   // [B, W]
            let out = network.forward(graph, inputs)                                              // [B, W, H]
            let logits = network.scores(graph, hidden: network.maskHidden(graph, out.hidden, lengths: lengths))   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * c.items)
            return out.attention
        }
    }
}

extension BERT4RecRecommender: ItemEmbeddingModel {
    /// The item table [N + 1, H] (row N is the mask token); rows 0 ..< N are also the output layer.
    public var itemEmbeddings: Tensor { network.itemEmbedding }
    /// Input and output share the item table.
    public var outputEmbeddings: Tensor? { nil }
}
