// SASRec's training objectives (reference/text-models.md §1, `calculate_loss`), on either kind of row:
//   prefix rows (RecBole): one term per row, from the hidden state at its last real position
//   sequence rows (original SASRec): a term at every position whose next item is not padding
// and either of RecBole's losses over the tied item table (CE or BPR: `Graph.tiedItemLoss`).
// Random draws come from one stream in a fixed order: dropout during the forward pass, then negatives.

import Tensors

extension SASRec {
    /// RecBole's loss on prefix rows: histories [B, L] (left-aligned, `lengths` real items each) predict
    /// `targets` [B] from the last real position; a target of 0 is not counted. Dropout on. The last
    /// layer runs at those positions only (`lastPositionHidden`).
    public func prefixLoss(_ g: Graph, inputs: IndexTensor, lengths: [Int], targets: IndexTensor,
                           objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        precondition(targets.count == inputs.shape.first, "SASRec.prefixLoss: \(targets.count) targets for \(inputs.shape) inputs")
        let hidden = lastPositionHidden(g, inputs, lengths: lengths, rng: &rng)         // [B, H]
        return itemLoss(g, hidden: hidden, targets: targets, objective: objective, rng: &rng)   // [B, H] → []
    }

    /// The every-position loss: inputs [B, L] predict targets [B, L] (the inputs shifted by one; 0 =
    /// padding, not counted). Dropout on.
    public func sequenceLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor,
                             objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        precondition(inputs.shape == targets.shape, "SASRec.sequenceLoss: inputs \(inputs.shape) and targets \(targets.shape) differ")
        let h = forward(g, inputs, dropout: &rng).hidden                               // [B, L, H]
        return itemLoss(g, hidden: g.reshape(h, [h.rows, h.lastDim]), targets: targets,
                        objective: objective, rng: &rng)                               // [B·L, H] → []
    }

    /// Mean loss of hidden rows [R, H] against item targets [R] (any shape, flattened; 0 = not
    /// counted) under `objective`, negatives drawn from `rng` in row order. No counted row: loss 0.
    public func itemLoss(_ g: Graph, hidden: Tensor, targets: IndexTensor, objective: NextItemObjective,
                         rng: inout RandomStream) -> Tensor {
        g.tiedItemLoss(hidden: hidden, table: itemEmbedding, targets: targets, objective: objective, model: "SASRec", rng: &rng)
    }
}
