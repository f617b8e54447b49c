// One Conure task as the trainer and the evaluator see it, in one phase: its parameters are the
// ones that phase trains (a fresh `Trainer`, hence a fresh Adam, per phase), its loss is the task's,
// and its scores come from the phase's effective weights. In the inference phase nothing trains and
// the scores are task j's through W ⊙ (M1 + … + Mj) and head j.
//
// Task 1 reads sequence rows (every position predicts the next item) and scores at each row's
// last real position; later tasks read prefix rows (history → target) and score at the CLS slot
// appended after the history.

import Datasets
import Models
import Tensors

/// A Conure task in one phase: trainable (by `Trainer`) and scorable (by `Evaluator`).
public final class ConureTaskModel: TrainableRecommender {
    /// The network (shared by all tasks).
    public let conure: Conure
    /// What this view computes with and trains.
    public let phase: ConurePhase
    /// How tables and progress lines call it ("conure T2", "conure retrain T2").
    public let name: String
    /// The parameters the phase trains, in a fixed order (empty for inference).
    public let parameters: [Tensor]
    private let graph = Graph()

    /// Task `phase.task` of `conure` in `phase`; `parameters` are those `Conure.enter(phase)` returned.
    public init(_ conure: Conure, phase: ConurePhase, parameters: [Tensor], name: String) {
        precondition(phase.task >= 1 && phase.task <= conure.taskCount, "ConureTaskModel: no head for \(phase)")
        self.conure = conure
        self.phase = phase
        self.parameters = parameters
        self.name = name
    }

    private var head: ConureHead { conure.head(phase.task) }

    /// Items (task 1) or targets (later tasks) 1...itemCount.
    public var itemCount: Int { head.targets - 1 }

    /// Sequence rows for task 1 (every position), prefix rows (one target each) after.
    public var trainingRowKind: RowKind { head.isNextItem ? .sequence : .prefix }

    /// The network, the phase and the head's loss in one line.
    public var architecture: String {
        let c = conure.configuration
        return "Conure (\(conure.strategy.rawValue)) \(phase): \(c.channels) channels, kernel \(c.kernel), pre-LN blocks with dilations "
            + c.dilations.map { "(\($0), \(2 * $0))" }.joined(separator: " ") + ", head \(head.objective)"
    }

    /// The sizes, strategy and phase as (key, value) pairs.
    public var configurationEntries: [(String, String)] {
        let c = conure.configuration
        return [("model", ConureFamily.kind), ("strategy", conure.strategy.rawValue), ("items", String(c.items)),
                ("channels", String(c.channels)), ("kernel", String(c.kernel)),
                ("dilations", c.dilations.map(String.init).joined(separator: ",")), ("phase", phase.description)]
    }

    /// The task's loss on one batch in this phase; negatives (bpr, bce) are drawn from `rng`.
    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let width = max(batch.longest, 1)
        let items = leadingColumns(batch.items, batch: batch, width: width)            // [B, L]
        if head.isNextItem {
            let labels = leadingColumns(batch.labels, batch: batch, width: width)      // [B, L], 0 = no target
            return conure.nextItemLoss(g, inputs: items, targets: labels, phase: phase)
        }
        let targets = Array(batch.targets[0..<batch.count])
        let negatives = conure.negatives(task: phase.task, targets: targets, rng: &rng)
        return conure.taskLoss(g, histories: items, lengths: lengths(batch), targets: targets, negatives: negatives, phase: phase)
    }

    /// Scores of every item (task 1) or target (later tasks) with this phase's weights.
    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        graph.reset()
        graph.withoutRecording {
            let items = leadingColumns(batch.items, batch: batch, width: max(batch.longest, 1))   // [B, L]
            let logits: Tensor
            if head.isNextItem {
                logits = conure.nextItemScores(graph, histories: items, lengths: lengths(batch), phase: phase)   // [B, V]
            } else {
                let users = conure.userVectors(graph, histories: items, lengths: lengths(batch), phase: phase)  // [B, C]
                logits = conure.targetScores(graph, users: users, task: phase.task)                             // [B, T]
            }
            scores.update(from: logits.pointer, count: batch.count * head.targets)
        }
    }

    private func lengths(_ batch: Batch) -> [Int] { batch.lengths[0..<batch.count].map(Int.init) }
}
