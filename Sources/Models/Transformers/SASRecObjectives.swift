// SASRec's training objectives (reference/text-models.md §1, `calculate_loss`), on either kind of row:
//   prefix rows (RecBole): one term per row, from the hidden state at its last real position
//   sequence rows (original SASRec): a term at every position whose next item is not padding
// and either loss:
//   CE   mean cross-entropy of h E_itemᵀ over all N items (PAD column included, as RecBole), fused
//        so the [R, N] logits are never held at once
//   BPR  mean −log σ(h·e⁺ − h·e⁻) with one negative per term, drawn uniformly from the real items
//        other than the positive (RecBole's sampler for sequential data excludes only the positive)
// Departure: BPR is computed as softplus(h·e⁻ − h·e⁺), the stable form of RecBole's
// −log(1e-10 + σ(·)); the two differ only when the margin is below about −23, where RecBole's
// gradient vanishes and ours does not.
// Random draws come from one stream in a fixed order: dropout during the forward pass, then negatives.

import Tensors

extension SASRec {
    /// The objectives SASRec trains with: RecBole's two.
    public static func supports(_ objective: NextItemObjective) -> Bool {
        switch objective {
        case .fullSoftmax, .bpr: true
        case .sampledSoftmax, .bce: false
        }
    }

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
        let flat = IndexTensor(shape: [targets.count], values: targets.values)
        precondition(hidden.rows == flat.count, "SASRec.itemLoss: \(hidden.rows) hidden rows for \(flat.count) targets")
        switch objective {
        case .fullSoftmax:
            return g.fusedSoftmaxCrossEntropy(hidden: hidden, weight: itemEmbedding, bias: nil, targets: flat,
                                              transposedWeight: true, ignoreIndex: 0)
        case .bpr(let sampler):
            precondition(sampler.itemCount == configuration.items,
                         "SASRec.itemLoss: the sampler covers \(sampler.itemCount) ids, the model \(configuration.items)")
            let counted = flat.values.indices.filter { flat.values[$0] != 0 }
            guard !counted.isEmpty else { return g.zeros([]) }   // nothing to learn from: loss 0, no gradient
            let negatives = objective.negatives(for: flat, rng: &rng)                    // [R, 1]
            var ids: [Int32] = []
            ids.reserveCapacity(2 * counted.count)
            for r in counted { ids += [flat.values[r], negatives.values[r]] }
            let rows = g.gather(g.reshape(hidden, [hidden.rows, hidden.lastDim]), axis: 0, indices: counted)   // [R', H]
            let scores = g.candidateScores(hidden: rows, weight: itemEmbedding, bias: nil,
                                           candidates: IndexTensor(shape: [counted.count, 2], values: ids),
                                           transposedWeight: true)                       // [R', 2]
            // −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)
            let margin = g.sub(g.slice(scores, axis: 1, start: 1, length: 1), g.slice(scores, axis: 1, start: 0, length: 1))
            return g.mean(g.softplus(margin))                                            // [R', 1] → []
        case .sampledSoftmax, .bce:
            preconditionFailure("SASRec trains with RecBole's CE or BPR, not \(objective)")
        }
    }
}
