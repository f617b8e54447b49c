// VQ-Rec's training objectives (reference/text-models.md §5.3, §5.4), with s = normalize(h):
//   fine-tuning   CE over all N items of s·normalize(e)ᵀ / τ, padding column included (the
//                 reference's logits over `calculate_item_emb()`), every lookup from the pass's
//                 table (T, or T' while reassigning)
//   pretraining   InfoNCE with in-batch negatives, same-target pairs at logit 0, and one
//                 semi-synthetic negative per row (see InBatchContrastive.swift):
//                   e⁺_i = normalize(mean T[code'(target_i)]),  ẽ_i = normalize(mean T[fake codes_i])
// The semi-synthetic codes replace each of the target's codes w.p. fakeCodeRatio by a uniform code
// of the same sub-space; no row is exempt (the pre-7ce91cec code zeroed the first row's negative,
// a bug the authors removed). Draw order in a step: dropout of the encoder, then the fake codes.

import Tensors

extension VQRec {
    /// The fine-tuning loss: histories ids [B, L] (left-aligned, `lengths` real items each) predict
    /// `targets` [B] by CE over the cosine logits / τ against every item (a target of 0 is not counted).
    public func nextItemLoss(_ g: Graph, _ ids: IndexTensor, lengths: [Int], targets: IndexTensor, draws: inout VQRecDraws) -> Tensor {
        precondition(targets.count == ids.shape[0], "VQRec.nextItemLoss: \(targets.count) targets for \(ids.shape) histories")
        let table = codeTable(g, draws: &draws)                                                  // [D·(K+1), H]
        let s = g.l2Normalize(sequenceVectors(g, ids, lengths: lengths, table: table, draws: &draws))   // [B, H]
        let candidates = g.l2Normalize(catalogue(g, table: table))                              // [N, H]
        return g.fusedSoftmaxCrossEntropy(hidden: g.scale(s, 1 / configuration.temperature), weight: candidates, bias: nil,
                                          targets: IndexTensor(targets.values), transposedWeight: true, ignoreIndex: 0)
    }

    /// VQ-Rec's pretraining loss on histories ids [B, L] with `targets` [B] (see the file header).
    public func pretrainingLoss(_ g: Graph, _ ids: IndexTensor, lengths: [Int], targets: [Int32], draws: inout VQRecDraws) -> Tensor {
        precondition(targets.count == ids.shape[0], "VQRec.pretrainingLoss: \(targets.count) targets for \(ids.shape) histories")
        let table = codeTable(g, draws: &draws)
        let s = g.l2Normalize(sequenceVectors(g, ids, lengths: lengths, table: table, draws: &draws))   // [B, H]
        let positives = g.l2Normalize(itemVectors(g, table: table, items: targets))              // [B, H]
        let (d, k) = (configuration.codePositions, configuration.codeCap)
        let targetCodes = targets.flatMap { codes.values[(Int($0) * d)..<((Int($0) + 1) * d)] }
        let fake = draws.fakeCodes(of: targetCodes, positions: d, cap: k, ratio: configuration.fakeCodeRatio)
        let fakeRows = IndexTensor(shape: [targets.count, d], values: fake.enumerated().map { i, c in c + 1 + Int32((i % d) * (k + 1)) })
        let negatives = g.l2Normalize(g.embeddingMean(table, fakeRows, paddingIndex: 0))          // [B, H]
        return inBatchContrastiveLoss(g, anchors: s, positives: positives, targets: targets, temperature: configuration.temperature,
                                      extraNegatives: negatives)
    }
}
