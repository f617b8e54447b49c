// The PeterRec family's descriptor: PeterRec's patched transfers and the fine-tuning baselines,
// whose checkpoints are self-contained. The parameters include the whole backbone (its frozen
// pretrained embedding and blocks too), so a transfer restores without its base in memory; beside
// them the family saves the training frequencies of the task's targets, the LambdaFM ranks of the
// BPR sampler. Which parameters train is the checkpoint's "frozen" entry.

import Datasets
import Models
import Tensors

/// PeterRec (Yuan et al., SIGIR 2020: a pretrained NextItNet or GRec encoder moved to a new task through model patches, or one of the fine-tuning baselines).
public enum PeterRecFamily: TrainerModelFamily {
    public static let kind = "transfer"

    /// The task's target frequencies (one per target id, padding included).
    public static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)] {
        guard let transfer = model as? TransferRecommender else { return [] }
        return [("targetCounts", .int64(transfer.targetCounts.map(Int64.init), shape: [transfer.targetCounts.count]))]
    }

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let modeText = try entries.string("mode")
        guard let mode = TransferMode(description: modeText) else {
            throw TrainingError("the saved transfer mode '\(modeText)' is not one of peterrec-serial, peterrec-parallel, finetune-all, finetune-head, scratch")
        }
        let backbone = try NextItNetFamily.network(entries, causal: try entries.bool("causal"))
        let targets = try entries.int("targets"), patch = try entries.int("patch"), maxLength = try entries.int("maxLength")
        let headL2 = try entries.double("headL2")
        guard let loss = TransferLoss(rawValue: try entries.string("loss")) else {
            throw TrainingError("the saved transfer loss '\(entries["loss"] ?? "")' is not bce, bpr or softmax")
        }
        guard NextItNetConfiguration.Bounds.items.contains(targets), maxLength >= 1, headL2.isFinite, headL2 >= 0 else {
            throw TrainingError("the saved transfer is out of range: targets \(targets), maxLength \(maxLength), headL2 \(headL2)")
        }
        let patched: Bool
        if case .peterrec = mode { patched = true } else { patched = false }
        guard patched ? NextItNetConfiguration.Bounds.channels.contains(patch) : patch == 0 else {
            throw TrainingError("the saved patch width \(patch) does not fit a \(mode) transfer")
        }
        let counts = try state.ints("targetCounts", shape: [targets], in: 0...Int(Int32.max), what: "the task's target frequencies")
        do {
            return try TransferRecommender(base: nil, backbone: backbone, targets: targets, targetCounts: counts, maxLength: maxLength,
                                           mode: mode, patchHidden: max(patch, 1), loss: loss, headL2: Float(headL2), seed: seed, name: name)
        } catch let e as NegativeSamplerError {
            throw TrainingError("the saved target frequencies cannot make the \(loss.rawValue) sampler: \(e)")
        }
    }
}
