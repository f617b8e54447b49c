// Training objectives for next-item prediction besides the full softmax: sampled softmax (NextItNet
// and Conure T1 in the TF code), BPR with LambdaFM negatives (PeterRec's `_lambdafm` script, Conure
// T2/T3) and pointwise BCE with one negative (PeterRec's default). reference/yuan-models.md §2.2, §4.5.
//
// Every objective averages over the positions whose target is not padding (0); padding positions
// neither draw negatives nor compute scores. Sampled objectives score only each position's positive
// and its negatives (candidateScores), never the full [R, N] logits. Per position r with positive p
// and negatives n_1..n_S, s(i) = h_r · W[:, i] + b[i]:
//   sampled softmax  −log softmax(s(p) − log q(p), s(n_j) − log q(n_j))[0]   (log-Q correction, as
//                    TF's sampled_softmax_loss; q = the sampler's probability, floored at 1e-12)
//   BPR              −log σ(s(p) − s(n_1))
//   BCE              −log σ(s(p)) − log(1 − σ(s(n_1)))
// Departures from the reference code: negatives are drawn per position (TF shares one candidate set
// per batch), the positive is never among its own negatives (TF removes accidental hits instead;
// PeterRec's LambdaFM sampler does not exclude it), and log σ is computed stably (softplus) rather
// than as log(σ + 1e-24).

import Foundation
import Tensors

/// What NextItNet is trained on at each position whose target is not padding.
public enum NextItemObjective: Sendable, CustomStringConvertible {
    /// Cross-entropy over all N items (the fused kernel).
    case fullSoftmax
    /// Cross-entropy of the positive against `negatives` drawn items, with log-Q correction.
    case sampledSoftmax(negatives: Int, sampler: NegativeSampler)
    /// Bayesian personalised ranking: the positive above one drawn negative.
    case bpr(sampler: NegativeSampler)
    /// Binary cross-entropy: the positive as 1, one drawn negative as 0.
    case bce(sampler: NegativeSampler)

    /// "softmax", "sampled-softmax(100, popularity)", "bpr(lambdafm)", "bce(uniform)".
    public var description: String {
        switch self {
        case .fullSoftmax: "softmax"
        case .sampledSoftmax(let negatives, let sampler): "sampled-softmax(\(negatives), \(sampler))"
        case .bpr(let sampler): "bpr(\(sampler))"
        case .bce(let sampler): "bce(\(sampler))"
        }
    }

    /// Negatives drawn per counted position: 0 for the full softmax.
    public var negativesPerTarget: Int {
        switch self {
        case .fullSoftmax: 0
        case .sampledSoftmax(let negatives, _): negatives
        case .bpr, .bce: 1
        }
    }

    /// The sampler the negatives come from; nil for the full softmax.
    public var sampler: NegativeSampler? {
        switch self {
        case .fullSoftmax: nil
        case .sampledSoftmax(_, let sampler), .bpr(let sampler), .bce(let sampler): sampler
        }
    }

    /// Negatives for `targets` (any shape, flattened to R) → [R, negativesPerTarget], never the
    /// row's own target; rows whose target is padding hold 0s and draw nothing.
    public func negatives(for targets: IndexTensor, rng: inout RandomStream) -> IndexTensor {
        guard let sampler else { return IndexTensor(shape: [targets.count, 0], values: []) }
        return sampler.negatives(for: targets, count: negativesPerTarget, rejectPositive: true, rng: &rng)
    }
}

extension NextItNet {
    /// Mean next-item loss under `objective`: inputs [B, L] predict targets [B, L] (target 0 =
    /// padding, not counted); negatives are drawn from `rng` in position order.
    public func loss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor, objective: NextItemObjective,
                     rng: inout RandomStream) -> Tensor {
        loss(g, inputs: inputs, targets: targets, objective: objective,
             negatives: objective.negatives(for: targets, rng: &rng))
    }

    /// Mean next-item loss under `objective` with given negatives [B · L, S] (row r belongs to
    /// flattened position r; rows at padding targets are ignored). The full softmax ignores them.
    public func loss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor, objective: NextItemObjective,
                     negatives: IndexTensor) -> Tensor {
        guard objective.negativesPerTarget > 0 else {
            if case .sampledSoftmax = objective { preconditionFailure("sampled softmax needs at least one negative") }
            return loss(g, inputs: inputs, targets: targets)   // the fused full-softmax path
        }
        precondition(configuration.causal, "NextItNet.loss is next-item prediction; a non-causal network would see its targets (use GRec)")
        precondition(inputs.shape == targets.shape, "NextItNet.loss: inputs \(inputs.shape) and targets \(targets.shape) differ")
        let h = forward(g, inputs)                                               // [B, L, C]
        return sampledLoss(g, hidden: g.reshape(h, [h.rows, h.lastDim]), targets: targets,
                           objective: objective, negatives: negatives)
    }

    /// A sampled objective on hidden rows [R, C] with targets [R] and negatives [R, S].
    func sampledLoss(_ g: Graph, hidden: Tensor, targets: IndexTensor, objective: NextItemObjective,
                     negatives: IndexTensor) -> Tensor {
        let s = objective.negativesPerTarget
        precondition(negatives.shape == [targets.count, s],
                     "NextItNet.loss: \(objective) needs negatives [\(targets.count), \(s)], got \(negatives.shape)")
        if let sampler = objective.sampler {
            precondition(sampler.itemCount == configuration.items,
                         "NextItNet.loss: the sampler covers \(sampler.itemCount) ids, the model \(configuration.items)")
        }
        let counted = targets.values.indices.filter { targets.values[$0] != 0 }
        guard !counted.isEmpty else { return g.zeros([]) }   // nothing to learn from: loss 0, no gradient

        // Candidates [R', 1 + S]: the positive in column 0, then the row's negatives.
        var ids: [Int32] = []
        ids.reserveCapacity(counted.count * (1 + s))
        for r in counted {
            ids.append(targets.values[r])
            ids.append(contentsOf: negatives.values[(r * s)..<((r + 1) * s)])
        }
        let candidates = IndexTensor(shape: [counted.count, 1 + s], values: ids)
        let rows = g.gather(projectionInput(g, hidden), axis: 0, indices: counted)       // [R', C]
        let scores = g.candidateScores(hidden: rows, weight: outputWeight, bias: outputBias,
                                       candidates: candidates)                           // [R', 1 + S]
        switch objective {
        case .fullSoftmax:
            preconditionFailure("the full softmax has no sampled form")
        case .sampledSoftmax(_, let sampler):
            // s − log q: the softmax over candidates then estimates the full one (Bengio & Senécal).
            // A floor keeps a positive outside the sampler's support finite.
            let logQ = g.make(scores.shape)                                              // [R', 1 + S]
            for (i, id) in ids.enumerated() { logQ.pointer[i] = Float(log(max(sampler.probabilities[Int(id)], 1e-12))) }
            let classes = IndexTensor(shape: [counted.count], values: Array(repeating: 0, count: counted.count))
            return g.crossEntropy(g.sub(scores, logQ), targets: classes)
        case .bpr:
            // −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)
            let margin = g.sub(g.slice(scores, axis: 1, start: 1, length: 1), g.slice(scores, axis: 1, start: 0, length: 1))
            return g.mean(g.softplus(margin))                                            // [R', 1] → []
        case .bce:
            // −log σ(s⁺) − log(1 − σ(s⁻)) = softplus(−s⁺) + softplus(s⁻)
            let signs = g.make([2])
            signs.pointer[0] = -1
            signs.pointer[1] = 1
            return g.mean(g.sumLastAxis(g.softplus(g.mul(scores, signs))))               // [R', 2] → [R'] → []
        }
    }
}
