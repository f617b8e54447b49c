// Ranking by cosine, as the text-based recommenders (UniSRec, VQ-Rec) rank: no temperature, the
// padding column at −inf so it is never recommended.

import Tensors

/// The cosine of each sequence vector [B, H] with each candidate [N, H] → [B, N], column 0
/// (padding) at −inf. For ranking only: nothing to train.
func cosineRanking(_ g: Graph, sequences: Tensor, catalogue: Tensor) -> Tensor {
    let scores = g.matmul(g.l2Normalize(sequences), g.l2Normalize(catalogue), transposeB: true)   // [B, N]
    for b in 0..<scores.rows { scores.pointer[b * scores.lastDim] = -.infinity }
    return scores
}
