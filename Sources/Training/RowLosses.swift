// How a batch becomes a loss for the networks trained on RecBole's rows with a tied-table objective
// (SASRec, GRU4Rec): prefix rows put one term at each row's last real position, sequence rows a term
// at every position whose next item is not padding. Both read the batch's most recent columns,
// left-aligned (`RecentWindow`).

import Datasets
import Models
import Tensors

/// A network with a prefix-row and a sequence-row loss over histories of at most `maxLength` items.
protocol RowTrainedNetwork {
    /// The longest history it reads.
    var maxLength: Int { get }
    /// Histories [B, L] (left-aligned, `lengths` real items each) predict `targets` [B].
    func prefixLoss(_ g: Graph, inputs: IndexTensor, lengths: [Int], targets: IndexTensor,
                    objective: NextItemObjective, rng: inout RandomStream) -> Tensor
    /// Inputs [B, L] predict targets [B, L] (the inputs shifted by one; 0 not counted).
    func sequenceLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor,
                      objective: NextItemObjective, rng: inout RandomStream) -> Tensor
}

extension RowTrainedNetwork {
    /// The mean loss of `batch` read as `rows`.
    func loss(_ g: Graph, batch: Batch, rows: RowKind, objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        let window = RecentWindow(batch, maxLength: maxLength)
        let inputs = window.take(batch.items)                                                 // [B, W]
        switch rows {
        case .prefix:
            return prefixLoss(g, inputs: inputs, lengths: window.lengths, targets: window.targets,   // [B]
                              objective: objective, rng: &rng)
        case .sequence:
            return sequenceLoss(g, inputs: inputs, targets: window.take(batch.labels),       // [B, W] each
                                objective: objective, rng: &rng)
        }
    }
}

extension SASRec: RowTrainedNetwork {
    var maxLength: Int { configuration.maxLength }
}

extension GRU4Rec: RowTrainedNetwork {
    var maxLength: Int { configuration.maxLength }
}
