// RecBole's two objectives over a tied item table, for the models whose scores are h · E_itemᵀ
// (SASRec, GRU4Rec; reference/text-models.md §1, `calculate_loss`):
//   CE   mean cross-entropy of h E_itemᵀ over all N items (PAD column included, as RecBole), fused
//        so the [R, N] logits are never held at once
//   BPR  mean −log σ(h·e⁺ − h·e⁻) with one negative per term, drawn uniformly from the real items
//        other than the positive (RecBole's sampler for sequential data excludes only the positive)
// Departure: BPR is computed as softplus(h·e⁻ − h·e⁺), the stable form of RecBole's
// −log(1e-10 + σ(·)); the two differ only when the margin is below about −23, where RecBole's
// gradient vanishes and ours does not.

import Tensors

extension NextItemObjective {
    /// Whether this is one of RecBole's two objectives (CE, BPR), which tied-table models train with.
    public var isRecBoleObjective: Bool {
        switch self {
        case .fullSoftmax, .bpr: true
        case .sampledSoftmax, .bce: false
        }
    }
}

extension Graph {
    /// Mean loss of rows [R, H] scored against the tied item `table` [N, H] for item targets [R] (any
    /// shape, flattened; 0 = not counted) under a RecBole `objective`, negatives drawn from `rng` in
    /// row order. No counted row: loss 0. `model` names the caller in messages.
    public func tiedItemLoss(hidden: Tensor, table: Tensor, targets: IndexTensor, objective: NextItemObjective,
                             model: String, rng: inout RandomStream) -> Tensor {
        let flat = IndexTensor(shape: [targets.count], values: targets.values)
        precondition(hidden.rows == flat.count, "\(model).itemLoss: \(hidden.rows) rows for \(flat.count) targets")
        switch objective {
        case .fullSoftmax:
            return fusedSoftmaxCrossEntropy(hidden: hidden, weight: table, bias: nil, targets: flat,
                                            transposedWeight: true, ignoreIndex: 0)
        case .bpr(let sampler):
            precondition(sampler.itemCount == table.shape[0],
                         "\(model).itemLoss: the sampler covers \(sampler.itemCount) ids, the model \(table.shape[0])")
            let counted = flat.values.indices.filter { flat.values[$0] != 0 }
            guard !counted.isEmpty else { return zeros([]) }   // nothing to learn from: loss 0, no gradient
            let negatives = objective.negatives(for: flat, rng: &rng)                    // [R, 1]
            var ids: [Int32] = []
            ids.reserveCapacity(2 * counted.count)
            for r in counted { ids += [flat.values[r], negatives.values[r]] }
            let rows = gather(reshape(hidden, [hidden.rows, hidden.lastDim]), axis: 0, indices: counted)   // [R', H]
            let scores = candidateScores(hidden: rows, weight: table, bias: nil,
                                         candidates: IndexTensor(shape: [counted.count, 2], values: ids),
                                         transposedWeight: true)                         // [R', 2]
            // −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)
            let margin = sub(slice(scores, axis: 1, start: 1, length: 1), slice(scores, axis: 1, start: 0, length: 1))
            return mean(softplus(margin))                                                // [R', 1] → []
        case .sampledSoftmax, .bce:
            preconditionFailure("\(model) trains with RecBole's CE or BPR, not \(objective)")
        }
    }
}
