// UniSRec's training objectives (reference/text-models.md §4.4, §4.5), with s = normalize(h):
//   fine-tuning   CE over all N items of s·normalize(v)ᵀ / τ (padding column included, as the
//                 reference's logits over plm_embedding.weight)
//   pretraining   L_SI + λ·L_SS, each an in-batch contrastive loss
//     L_SI  anchors s_i, positives e⁺_j = normalize(MoE(text[target_j]))
//     L_SS  anchors s_i, positives s'_j = normalize(h') of the augmented histories
//     L     = mean_i [ log Σ_j exp(z_ij) − z_ii ],  z_ij = anchor_i·positive_j / τ,
//             z_ij := 0 where i ≠ j and target_i == target_j
// The masked pairs get logit 0, so they still add exp(0) = 1 to the denominator (the reference's
// `torch.where(same_pos_id, 0, logits)`), and the positive stays in it. The shapes are the per-row
// ones of the fixed code (UniSRec PR #9): each row's positive over its own denominator, not the
// pre-fix [B, 1] / [B] broadcast over all pairs.
// Draw order in a step: the history adaptor pass and encoder, then the targets' (or the
// catalogue's) adaptor pass, then the augmented histories.

import Tensors

/// UniSRec's pretraining losses of one batch, each differentiable on its own.
public struct UniSRecPretrainingLoss {
    /// L_SI + λ·L_SS.
    public let total: Tensor
    /// The sequence-item loss L_SI.
    public let sequenceItem: Tensor
    /// The sequence-sequence loss L_SS.
    public let sequenceSequence: Tensor
}

extension UniSRec {
    /// The fine-tuning loss: histories ids [B, L] (left-aligned, `lengths` real items each) predict
    /// `targets` [B] by CE over the cosine logits / τ against every item (a target of 0 is not counted).
    public func nextItemLoss(_ g: Graph, _ ids: IndexTensor, lengths: [Int], targets: IndexTensor,
                             draws: inout UniSRecDraws) -> Tensor {
        precondition(targets.count == ids.shape[0], "UniSRec.nextItemLoss: \(targets.count) targets for \(ids.shape) histories")
        let s = g.l2Normalize(sequenceVectors(g, ids, lengths: lengths, draws: &draws))      // [B, H]
        let candidates = g.l2Normalize(catalogue(g, draws: &draws))                      // [N, H]
        return g.fusedSoftmaxCrossEntropy(hidden: g.scale(s, 1 / configuration.temperature), weight: candidates, bias: nil,
                                          targets: IndexTensor(targets.values), transposedWeight: true, ignoreIndex: 0)
    }

    /// The in-batch contrastive loss of normalised `anchors` [B, H] against normalised `positives`
    /// [B, H]: row i's positive is positives[i], the other rows' are its negatives, except rows with
    /// the same target, whose logits are set to 0 (see the file header) → mean over rows [].
    public func contrastiveLoss(_ g: Graph, anchors: Tensor, positives: Tensor, targets: [Int32]) -> Tensor {
        precondition(anchors.shape == [targets.count, configuration.hidden],
                     "UniSRec.contrastiveLoss: anchors \(anchors.shape) for \(targets.count) targets of width \(configuration.hidden)")
        return inBatchContrastiveLoss(g, anchors: anchors, positives: positives, targets: targets, temperature: configuration.temperature)
    }

    /// UniSRec's pretraining loss on histories ids [B, L] with `targets` [B] and their augmented
    /// view (`augmented`, drawn by `ContrastiveAugmentation` or given): L_SI + λ·L_SS.
    public func pretrainingLoss(_ g: Graph, _ ids: IndexTensor, lengths: [Int], targets: [Int32], augmented: AugmentedView,
                                lambda: Float, draws: inout UniSRecDraws) -> UniSRecPretrainingLoss {
        precondition(targets.count == ids.shape[0] && augmented.items.shape[0] == ids.shape[0],
                     "UniSRec.pretrainingLoss: \(targets.count) targets and \(augmented.items.shape) augmented rows for \(ids.shape) histories")
        let s = g.l2Normalize(sequenceVectors(g, ids, lengths: lengths, draws: &draws))       // [B, H]
        let (rows, index) = Self.distinctRows(targets)
        let targetVectors = adaptorRows(g, sources: rows, pass: .targets, draws: &draws)  // [U, H]
        let positives = g.l2Normalize(g.gather(targetVectors, axis: 0, indices: index.map(Int.init)))   // [B, H]
        let sequenceItem = contrastiveLoss(g, anchors: s, positives: positives, targets: targets)
        let views = g.l2Normalize(sequenceVectors(g, augmented.items, lengths: augmented.lengths, sources: augmented.sources,
                                                  pass: .augmented, draws: &draws))     // [B, H]
        let sequenceSequence = contrastiveLoss(g, anchors: s, positives: views, targets: targets)
        return UniSRecPretrainingLoss(total: g.add(sequenceItem, g.scale(sequenceSequence, lambda)),
                                      sequenceItem: sequenceItem, sequenceSequence: sequenceSequence)
    }
}
