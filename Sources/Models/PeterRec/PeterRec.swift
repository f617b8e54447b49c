// PeterRec (SIGIR 2020; reference/yuan-models.md §4): a pretrained NextItNet (causal) or GRec
// encoder (non-causal) reused for a new task through small model patches and a target head.
//
// Input rows put a CLS token where the user vector is read:
//   causal      [s_1 … s_n, CLS]          user vector h = H[n]            (the CLS slot)
//   non-causal  [CLS, s_1 … s_n, CLS]     user vector h = H[0] + H[n + 1]
// The causal CLS is id 0, an embedding row causal pretraining never updates (padding targets of the
// next-item loss are ignored), as the original's `<UNK>` row. The non-causal CLS is GRec's mask
// token (id N, the input-only row after the items), which GRec pretraining trains as "a masked
// item, predict me": the original's CLS is id 0, which there is GRec's [MASK] (`masked_token=0`).
// Rows are left-aligned and padded with 0 on the right. A causal state never reads columns to its
// right, so the padding changes nothing; the non-causal encoder does read it, so non-causal rows are
// always laid out at one fixed width (maxLength + 2) and a row's vector never depends on its
// batch-mates. The head is a target table E_t [T, C] (TruncNormal 0.02, no bias): s(u, t) = h · E_t[t].
//
// The same class also holds the fine-tuning baselines (no patches): what is trained is the
// recommender's choice (Training/TransferRecommender.swift).
//
// Departures from the original (see Docs/fidelity.md, table PeterRec):
//   - non-causal rows are padded after the second CLS with id 0, which GRec pretraining also saw as
//     right padding (the original's rows have one length and see the convolution's zero padding);
//   - histories are variable-length with nothing before them (the reference: fixed-length rows
//     left-padded with a pad token that is an ordinary item);
//   - class tasks default to the softmax; BPR negatives exclude the positive and LambdaFM ranks
//     training targets only;
//   - full-ranking evaluation, a validation split and early stopping by default (the reference:
//     99 sampled negatives, HR/MRR@5, train/test, fixed passes);
//   - non-causal serial patches exist; every baseline mode reads the CLS.

import Tensors

/// The loss a transfer trains its head with.
public enum TransferLoss: String, Sendable, CaseIterable {
    /// −log σ(s⁺) − log(1 − σ(s⁻)), one negative drawn uniformly from the other targets.
    case bce
    /// −log σ(s⁺ − s⁻), the negative from the LambdaFM rank sampler (ρ 0.3).
    case bpr
    /// Cross-entropy over all targets.
    case softmax
}

/// A backbone of NextItNet blocks with optional patches and a target head, as PeterRec uses it.
public final class PeterRec {
    /// The backbone: a copy of the pretrained network (or a fresh one), never shared with the base.
    public let backbone: NextItNet
    /// Two patches per residual block, or none (the fine-tuning baselines).
    public let patches: [(ModelPatch, ModelPatch)]
    /// Where the patches sit; nil without patches.
    public let insertion: PatchInsertion?
    /// The target table E_t [T, C], row 0 = padding (never a target).
    public let head: Tensor

    /// A PeterRec over `backbone` (owned from now on) for `targets` ids (padding included). With
    /// `insertion` every block gets two patches of width `patchHidden`. Patches and head draw from
    /// their own streams derived from `stream`.
    public init(backbone: NextItNet, targets: Int, insertion: PatchInsertion?, patchHidden: Int, stream: RandomStream) {
        precondition(targets >= 2, "PeterRec: a task needs at least one target besides padding")
        let c = backbone.configuration.channels
        self.backbone = backbone
        self.insertion = insertion
        if insertion != nil {
            precondition(patchHidden >= 1, "PeterRec: patch width must be at least 1")
            patches = backbone.blocks.indices.map { i in
                (ModelPatch(prefix: "block\(i).patch1", channels: c, hidden: patchHidden, stream: stream),
                 ModelPatch(prefix: "block\(i).patch2", channels: c, hidden: patchHidden, stream: stream))
            }
        } else {
            patches = []
        }
        head = Initialisation.truncatedNormal("target.embedding", shape: [targets, c], std: 0.02, stream: stream)
    }

    /// Whether the backbone sees only the past (NextItNet) or both sides (GRec encoder).
    public var causal: Bool { backbone.configuration.causal }

    /// Number of target ids, padding included.
    public var targets: Int { head.shape[0] }

    /// Every parameter: the backbone's embedding and blocks (not its pretrained softmax, which a
    /// transfer task never uses), the patches, the head.
    public var parameters: [Tensor] {
        [backbone.embedding] + backbone.blocks.flatMap(\.parameters) + patches.flatMap { $0.0.parameters + $0.1.parameters } + [head]
    }

    /// The token at the CLS slots: id 0 for a causal backbone; GRec's mask token (id N) for a
    /// non-causal one that has it (see the file comment), else id 0.
    public var clsToken: Int32 {
        let c = backbone.configuration
        return !causal && c.extraInputTokens >= 1 ? Int32(c.items) : 0
    }

    /// The input row for one source history (most recent `maxLength` items) and the column(s) the
    /// user vector is read from, at `width` columns (see the file comment).
    public func layout(_ history: ArraySlice<Int32>, maxLength: Int, width: Int) -> (ids: [Int32], read: [Int]) {
        let items = Array(history.suffix(maxLength))
        var row = [Int32](repeating: 0, count: width)
        if causal {
            precondition(items.count + 1 <= width, "PeterRec.layout: \(items.count) items and CLS need \(items.count + 1) columns, have \(width)")
            for (c, item) in items.enumerated() { row[c] = item }
            return (row, [items.count])                    // row[n] = CLS = 0
        }
        precondition(items.count + 2 <= width, "PeterRec.layout: CLS, \(items.count) items, CLS need \(items.count + 2) columns, have \(width)")
        for (c, item) in items.enumerated() { row[c + 1] = item }
        row[0] = clsToken
        row[items.count + 1] = clsToken
        return (row, [0, items.count + 1])
    }

    /// ids [B, W] → hidden states [B, W, C] through the blocks, patched if this model has patches.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> Tensor {
        var h = g.embedding(backbone.embedding, ids, paddingIndex: nil)       // [B, W, C]
        for (i, block) in backbone.blocks.enumerated() {
            h = insertion.map { block(g, h, patches: patches[i], insertion: $0) } ?? block(g, h)   // [B, W, C]
        }
        return h
    }

    /// User vectors [B, C]: the sum of the hidden states at each row's read columns (`read[b]`, one
    /// causal column or the two CLS columns), from hidden [B, W, C].
    public func userVectors(_ g: Graph, hidden: Tensor, read: [[Int]]) -> Tensor {
        let w = hidden.shape[1], c = hidden.lastDim
        let flat = g.reshape(hidden, [hidden.rows, c])                        // [B·W, C]
        var user = g.gather(flat, axis: 0, indices: read.enumerated().map { $0.offset * w + $0.element[0] })   // [B, C]
        if read.first.map({ $0.count > 1 }) ?? false {
            user = g.add(user, g.gather(flat, axis: 0, indices: read.enumerated().map { $0.offset * w + $0.element[1] }))
        }
        return user
    }

    /// Scores of every target for user vectors [B, C] → [B, T] (column 0 is padding).
    public func scores(_ g: Graph, user: Tensor) -> Tensor {
        g.matmul(user, head, transposeB: true)                                // [B, C]·[C, T]
    }

    /// Mean loss of rows ids [B, W] (read columns `read`) against `targets` [B] (target ids ≥ 1),
    /// plus (headL2/2)·‖E_t‖². BCE and BPR score each row's positive against its one negative in
    /// `negatives` [B, 1]; the softmax ignores them.
    public func loss(_ g: Graph, ids: IndexTensor, read: [[Int]], targets: IndexTensor, negatives: IndexTensor?,
                     loss: TransferLoss, headL2: Float) -> Tensor {
        let b = targets.count
        let user = userVectors(g, hidden: forward(g, ids), read: read)                           // [B, C]
        let data: Tensor
        switch loss {
        case .softmax:
            data = g.crossEntropy(scores(g, user: user), targets: targets)                       // [B, T] → []
        case .bce, .bpr:
            guard let negatives else { preconditionFailure("PeterRec.loss: \(loss) needs one negative per row") }
            precondition(negatives.shape == [b, 1], "PeterRec.loss: negatives must be [\(b), 1], got \(negatives.shape)")
            var pairs: [Int32] = []
            pairs.reserveCapacity(2 * b)
            for r in 0..<b { pairs += [targets.values[r], negatives.values[r]] }
            let s = g.candidateScores(hidden: user, weight: head, bias: nil,
                                      candidates: IndexTensor(shape: [b, 2], values: pairs), transposedWeight: true)   // [B, 2]
            if loss == .bpr {
                // −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)
                data = g.mean(g.softplus(g.sub(g.slice(s, axis: 1, start: 1, length: 1), g.slice(s, axis: 1, start: 0, length: 1))))
            } else {
                // −log σ(s⁺) − log(1 − σ(s⁻)) = softplus(−s⁺) + softplus(s⁻)
                let signs = g.make([2])
                signs.pointer[0] = -1
                signs.pointer[1] = 1
                data = g.mean(g.sumLastAxis(g.softplus(g.mul(s, signs))))                        // [B, 2] → [B] → []
            }
        }
        guard headL2 > 0 else { return data }
        return g.add(data, g.scale(g.sum(g.mul(head, head)), headL2 / 2))
    }
}
