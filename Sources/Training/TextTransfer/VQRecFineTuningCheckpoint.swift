// VQ-Rec fine-tuning's schedule in a checkpoint. The checkpoint's own trainer is the code-table
// phase's (`VQRecFineTuning.trainer`, the one that trains last); this section adds the schedule's
// settings (permutation, reassignment epochs and learning rate, seed), the reassignment phase's
// trainer under "schedule.reassignment." and, once committed, the assignment the commit made. The
// phase itself (re-assigning or tuning the codes) is the model's `reassignment` entry and its
// frozen set, so a model saved in either phase, or between them, fits on exactly as it would have.

import Datasets
import Models
import Tensors

extension VQRecFineTuning: SavedTrainingSchedule {
    /// "vqrec-finetuning".
    public static var scheduleKind: String { "vqrec-finetuning" }

    /// Prefix of the reassignment trainer's state.
    static let reassignmentPrefix = "schedule.reassignment."

    /// The settings, the reassignment trainer's state and the committed assignment.
    public var checkpointSection: CheckpointSection {
        var s = CheckpointSection()
        s.metadata["schedule.permutation"] = permutation.rawValue
        s.metadata["schedule.reassignEpochs"] = String(reassignEpochs)
        if let lr = reassignmentLearningRate { s.metadata["schedule.reassignLr"] = "\(lr)" }
        s.metadata["schedule.seed"] = String(seed.root)
        if let reassignmentTrainer { s.merge(TrainerCheckpoint.trainerState(reassignmentTrainer, prefix: Self.reassignmentPrefix)) }
        if let assignment {
            let rows = assignment.first?.count ?? 0
            s.tensors.append(("schedule.assignment", .int32(IndexTensor(shape: [assignment.count, rows],
                                                                        values: assignment.flatMap { $0.map { Int32($0) } }))))
        }
        return s
    }

    /// The fine-tuning around `checkpoint`'s model and trainer, from what `checkpointSection` wrote.
    public static func restore(_ checkpoint: RestoredCheckpoint) throws -> VQRecFineTuning {
        let source = checkpoint.source
        guard let model = checkpoint.trainer.model as? VQRecRecommender else {
            throw TrainingError("\(source) holds a VQ-Rec fine-tuning schedule around a \(checkpoint.trainer.model.name) model, which is not VQ-Rec; the file is damaged")
        }
        let permutationText = try checkpoint.field("schedule.permutation")
        guard let permutation = VQRecPermutation(rawValue: permutationText) else {
            throw TrainingError("\(source): the saved permutation '\(permutationText)' is not learned, released or none; the file is damaged")
        }
        let epochs: Int = try TrainerCheckpoint.number(Substring(try checkpoint.field("schedule.reassignEpochs")), "reassignEpochs", source: source)
        guard (0...10_000).contains(epochs), (permutation == .none) == (epochs == 0) else {
            throw TrainingError("\(source): \(epochs) reassignment epochs do not fit a \(permutation.rawValue) permutation; the file is damaged")
        }
        var lr: Float?
        if let text = checkpoint.file.metadata["schedule.reassignLr"] {
            let value: Float = try TrainerCheckpoint.number(Substring(text), "reassignLr", source: source)
            guard value.isFinite, value > 0 else { throw TrainingError("\(source): reassignLr \(value) is out of range; the file is damaged") }
            lr = value
        }
        let seed = Seed(try TrainerCheckpoint.number(Substring(try checkpoint.field("schedule.seed")), "the schedule's seed", source: source) as UInt64)
        var reassignmentTrainer: Trainer?
        if permutation != .none {
            let trainerSeed: UInt64 = try TrainerCheckpoint.number(Substring(try checkpoint.field(reassignmentPrefix + "seed")),
                                                                   "the reassignment trainer's seed", source: source)
            let trainer = Trainer(model: model, seed: Seed(trainerSeed))
            try TrainerCheckpoint.restoreTrainerState(trainer, file: checkpoint.file, prefix: reassignmentPrefix, source: source)
            reassignmentTrainer = trainer
        }
        var assignment: [[Int]]?
        if checkpoint.file.names.contains("schedule.assignment") {
            let c = model.network.configuration
            let entry = try checkpoint.file.entry("schedule.assignment")
            guard entry.shape == [c.codePositions, c.codeCap + 1] else {
                throw TrainingError("\(source): schedule.assignment has shape \(entry.shape), expected \([c.codePositions, c.codeCap + 1]); the file is damaged")
            }
            let values = try checkpoint.file.indices("schedule.assignment").values
            guard values.allSatisfy({ $0 >= 0 && Int($0) <= c.codeCap }) else {
                throw TrainingError("\(source): schedule.assignment holds a row outside 0...\(c.codeCap); the file is damaged")
            }
            assignment = (0..<c.codePositions).map { m in values[(m * (c.codeCap + 1))..<((m + 1) * (c.codeCap + 1))].map(Int.init) }
        }
        guard (model.network.reassignment == .none) == (permutation == .none || assignment != nil) else {
            throw TrainingError("\(source): the model's reassignment phase (\(model.network.reassignment.rawValue)) does not match the schedule's; the file is damaged")
        }
        return VQRecFineTuning(restoring: model, permutation: permutation, reassignEpochs: epochs, reassignmentLearningRate: lr,
                               seed: seed, reassignmentTrainer: reassignmentTrainer, trainer: checkpoint.trainer, assignment: assignment)
    }
}
