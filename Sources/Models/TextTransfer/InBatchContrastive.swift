// The in-batch contrastive loss of UniSRec's and VQ-Rec's pretraining (reference/text-models.md
// §4.4, §5.3), post-fix per-row shapes (UniSRec PR #9, VQ-Rec 062dae07):
//   z_ij = a_i·p_j / τ,  z_ij := 0 where i ≠ j and target_i == target_j          [B, B]
//   f_i  = a_i·ñ_i / τ   (VQ-Rec's one semi-synthetic negative per row, optional)  [B]
//   L    = mean_i −log( exp(z_ii) / (Σ_j exp(z_ij) [+ exp(f_i)]) )
// The masked same-target pairs get logit 0, so they still add exp(0) = 1 (the reference's
// `torch.where(same_pos_id, 0, logits)`), and the positive stays in the denominator. As a
// cross-entropy over [B, B (+1)] logits with row i's class i, which is the same number.

import Tensors

/// The in-batch contrastive loss of normalised `anchors` [B, H] against normalised `positives`
/// [B, H] (row i's positive is positives[i], the other rows its negatives, same-target rows at
/// logit 0), with an optional extra negative per row `extraNegatives` [B, H] → mean over rows [].
func inBatchContrastiveLoss(_ g: Graph, anchors: Tensor, positives: Tensor, targets: [Int32], temperature: Float,
                            extraNegatives: Tensor? = nil) -> Tensor {
    let b = targets.count
    precondition(anchors.shape.count == 2 && anchors.shape[0] == b && positives.shape == anchors.shape,
                 "inBatchContrastiveLoss: anchors \(anchors.shape) and positives \(positives.shape) for \(b) targets")
    if let extraNegatives {
        precondition(extraNegatives.shape == anchors.shape, "inBatchContrastiveLoss: extra negatives \(extraNegatives.shape) for anchors \(anchors.shape)")
    }
    let logits = g.scale(g.matmul(anchors, positives, transposeB: true), 1 / temperature)   // [B, B]
    let keep = g.make([b, b])                                                     // 1, or 0 on same-target pairs
    var sameTargets = false
    for i in 0..<b {
        for j in 0..<b {
            let same = i != j && targets[i] == targets[j]
            keep.pointer[i * b + j] = same ? 0 : 1
            sameTargets = sameTargets || same
        }
    }
    var masked = sameTargets ? g.mul(logits, keep) : logits                           // z_ij := 0 where same
    if let extraNegatives {
        let f = g.scale(g.sumLastAxis(g.mul(anchors, extraNegatives)), 1 / temperature)   // [B]
        masked = g.concat([masked, g.reshape(f, [b, 1])], axis: 1)                    // [B, B + 1]
    }
    return g.crossEntropy(masked, targets: IndexTensor((0..<b).map { Int32($0) }))
}
