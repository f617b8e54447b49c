// Conure's tasks: phases, heads and losses (reference/yuan-models.md §5.1, §5.5).
//
// Task 1 is NextItNet's next-item prediction at every position: head [C, V] + bias [V], full
// softmax over all item ids (the reference uses TF's sampled softmax; the fused full softmax is
// exact and affordable at our sizes, as in NextItNet.swift).
//
// Tasks 2 onwards read a history, append the CLS token (id 0) and take the hidden state at that
// slot as the user vector u [C] (the reference's `[src..., CLS=0] -> H[:, -1]`). Their head is a
// target table W_k [T_k, C] without bias, s(t) = u · W_k[t], and the loss is one of
//   bpr      −log σ(s(pos) − s(neg)), one LambdaFM negative    (reference T2/T3, item targets)
//   bce      −log σ(s(pos)) − log(1 − σ(s(neg))), one negative (reference T4, user attributes)
//   softmax  cross-entropy over all T_k targets (id 0 included, as the reference's [3, C] gender
//            table); exact and cheap where the label space is small (a user attribute)
// each averaged over the batch, plus the reference's L2 on the whole head every step:
//   + λ/2 · ‖W_k‖²   (TF's l2_regularizer(λ) is λ · l2_loss = λ/2 · Σ w²; λ = 0.02 for T2).
// As in NextItNetObjectives.swift, the positive is never its own negative (the reference's LambdaFM
// draw does not exclude it) and log σ is computed stably.

import Tensors

/// Which weights a forward pass uses and which may train (see `Conure.enter` and
/// `Conure.effectiveConvolutionWeights`).
public enum ConurePhase: Sendable, Equatable, CustomStringConvertible {
    /// Conure's first phase of task k: all of W in the forward pass, gradient on the free weights.
    case trainAndPrune(task: Int)
    /// Conure's second phase of task k: W ⊙ (M_1 + … + M_k) forward, gradient on M_k.
    case retrain(task: Int)
    /// Scoring for task j: W ⊙ (M_1 + … + M_j) with head j (all of W for the baseline).
    case inference(task: Int)
    /// The naive baseline on task k: every weight trains.
    case fineTuneAll(task: Int)

    /// The task this phase trains or scores.
    public var task: Int {
        switch self {
        case .trainAndPrune(let k), .retrain(let k), .inference(let k), .fineTuneAll(let k): k
        }
    }

    /// "train-and-prune T2", "retrain T2", "inference T1", "fine-tune-all T3".
    public var description: String {
        switch self {
        case .trainAndPrune(let k): "train-and-prune T\(k)"
        case .retrain(let k): "retrain T\(k)"
        case .inference(let k): "inference T\(k)"
        case .fineTuneAll(let k): "fine-tune-all T\(k)"
        }
    }
}

/// What a task's head is trained on.
public enum ConureObjective: Sendable, CustomStringConvertible {
    /// Task 1: full softmax over all items at every position.
    case nextItem
    /// Full softmax over the task's targets at the CLS slot, plus λ/2 · ‖W‖².
    case softmax(l2: Float)
    /// BPR against one negative from `sampler`, plus λ/2 · ‖W‖².
    case bpr(sampler: NegativeSampler, l2: Float)
    /// BCE on the positive and one negative from `sampler`, plus λ/2 · ‖W‖².
    case bce(sampler: NegativeSampler, l2: Float)

    /// "next-item softmax", "softmax + L2 0.02", "bpr(lambdafm) + L2 0.02", ...
    public var description: String {
        func l2Text(_ l2: Float) -> String { l2 == 0 ? "" : " + L2 \(l2)" }
        switch self {
        case .nextItem: return "next-item softmax"
        case .softmax(let l2): return "softmax" + l2Text(l2)
        case .bpr(let sampler, let l2): return "bpr(\(sampler))" + l2Text(l2)
        case .bce(let sampler, let l2): return "bce(\(sampler))" + l2Text(l2)
        }
    }

    /// The sampler negatives come from; nil for the softmax objectives.
    public var sampler: NegativeSampler? {
        switch self {
        case .nextItem, .softmax: nil
        case .bpr(let sampler, _), .bce(let sampler, _): sampler
        }
    }

    /// The L2 coefficient λ on the head (0 for task 1).
    public var l2: Float {
        switch self {
        case .nextItem: 0
        case .softmax(let l2), .bpr(_, let l2), .bce(_, let l2): l2
        }
    }
}

/// The output layer of one task.
public final class ConureHead {
    /// The task (1-based).
    public let task: Int
    /// Its loss.
    public let objective: ConureObjective
    /// Ids it scores, id 0 included (V for task 1, T_k after).
    public let targets: Int
    /// Task 1: [C, V] (`head1.weight`); task k ≥ 2: the target table [T_k, C] (`head<k>.weight`).
    public let weight: Tensor
    /// Task 1's output bias [V] (`head1.bias`); nil for later tasks (the reference has none).
    public let bias: Tensor?

    init(task: Int, objective: ConureObjective, targets: Int, configuration: ConureConfiguration, stream: RandomStream) {
        self.task = task
        self.objective = objective
        self.targets = targets
        let (c, std) = (configuration.channels, configuration.initStd)
        if case .nextItem = objective {
            weight = Initialisation.truncatedNormal("head1.weight", shape: [c, targets], std: std, stream: stream)
            bias = Initialisation.constant("head1.bias", shape: [targets], value: 0)
        } else {
            weight = Initialisation.truncatedNormal("head\(task).weight", shape: [targets, c], std: std, stream: stream)
            bias = nil
        }
    }

    /// Weight, then bias when there is one.
    public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }

    /// True for task 1's next-item head.
    public var isNextItem: Bool { if case .nextItem = objective { true } else { false } }
}

extension Conure {
    /// Task 1's mean next-item cross-entropy: inputs [B, L] predict targets [B, L] (0 = no
    /// target, not counted), every position, through the fused full softmax.
    public func nextItemLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor, phase: ConurePhase) -> Tensor {
        precondition(phase.task == 1, "next-item loss is task 1's, not that of \(phase)")
        precondition(inputs.shape == targets.shape, "Conure.nextItemLoss: inputs \(inputs.shape) and targets \(targets.shape) differ")
        let head = head(1)
        let h = hidden(g, inputs, phase: phase)                                   // [B, L, C]
        return g.fusedSoftmaxCrossEntropy(hidden: g.reshape(h, [h.rows, h.lastDim]), weight: head.weight, bias: head.bias,
                                          targets: IndexTensor(shape: [targets.count], values: targets.values), ignoreIndex: 0)
    }

    /// Task 1's logits over all V ids at each row's last real position: histories [B, L]
    /// (left-aligned, 0 after the row) with `lengths` [B] → [B, V].
    public func nextItemScores(_ g: Graph, histories: IndexTensor, lengths: [Int], phase: ConurePhase) -> Tensor {
        let head = head(1)
        let (b, width) = (histories.shape[0], histories.shape[1])
        let h = hidden(g, histories, phase: phase)                                // [B, L, C]
        let rows = g.reshape(h, [b * width, h.lastDim])                           // [B·L, C]
        let last = (0..<b).map { $0 * width + max(lengths[$0] - 1, 0) }
        return g.linear(g.gather(rows, axis: 0, indices: last), head.weight, head.bias)   // [B, V]
    }

    /// The CLS-slot user vectors of tasks 2 onwards: histories [B, L] (left-aligned) with `lengths`
    /// get id 0 appended after their last item; the hidden state there is the user → [B, C].
    /// The network is causal, so padding after the slot cannot reach it.
    public func userVectors(_ g: Graph, histories: IndexTensor, lengths: [Int], phase: ConurePhase) -> Tensor {
        precondition(histories.shape.count == 2 && lengths.count == histories.shape[0],
                     "Conure.userVectors: histories must be [B, L] with B lengths, got \(histories.shape) and \(lengths.count)")
        let (b, width) = (histories.shape[0], histories.shape[1])
        let longest = lengths.max() ?? 0
        precondition(longest <= width, "Conure.userVectors: a length exceeds the \(width) columns")
        let columns = longest + 1
        var ids = [Int32](repeating: 0, count: b * columns)                      // [B, L' + 1], CLS = 0
        for r in 0..<b {
            for t in 0..<lengths[r] { ids[r * columns + t] = histories.values[r * width + t] }
        }
        let h = hidden(g, IndexTensor(shape: [b, columns], values: ids), phase: phase)   // [B, L' + 1, C]
        let rows = g.reshape(h, [b * columns, h.lastDim])
        return g.gather(rows, axis: 0, indices: (0..<b).map { $0 * columns + lengths[$0] })  // [B, C]
    }

    /// Scores of every target of task k ≥ 2 for user vectors [B, C] → [B, T_k].
    public func targetScores(_ g: Graph, users: Tensor, task k: Int) -> Tensor {
        let head = head(k)
        precondition(!head.isNextItem, "task 1 scores items through nextItemScores")
        return g.matmul(users, head.weight, transposeB: true)
    }

    /// The mean loss of task k ≥ 2 (the phase's task) on histories [B, L] with `lengths` and
    /// `targets` [B] (ids 1..<T_k), plus the head's L2 term. `negatives` [B, 1] are needed by
    /// bpr and bce and ignored by softmax.
    public func taskLoss(_ g: Graph, histories: IndexTensor, lengths: [Int], targets: [Int32], negatives: IndexTensor?,
                         phase: ConurePhase) -> Tensor {
        let head = head(phase.task)
        precondition(!head.isNextItem, "task 1 trains through nextItemLoss")
        precondition(targets.count == lengths.count, "Conure.taskLoss: \(lengths.count) rows but \(targets.count) targets")
        let b = targets.count
        let u = userVectors(g, histories: histories, lengths: lengths, phase: phase)          // [B, C]
        var loss: Tensor
        switch head.objective {
        case .nextItem:
            preconditionFailure("unreachable: checked above")
        case .softmax:
            loss = g.crossEntropy(g.matmul(u, head.weight, transposeB: true), targets: IndexTensor(targets))   // [B, T] → []
        case .bpr, .bce:
            guard let negatives, negatives.shape == [b, 1] else {
                preconditionFailure("Conure.taskLoss: \(head.objective) needs negatives [\(b), 1], got \(negatives?.shape ?? [])")
            }
            var ids: [Int32] = []
            ids.reserveCapacity(2 * b)
            for r in 0..<b { ids.append(targets[r]); ids.append(negatives.values[r]) }
            let s = g.candidateScores(hidden: u, weight: head.weight, bias: nil,
                                      candidates: IndexTensor(shape: [b, 2], values: ids), transposedWeight: true)   // [B, 2]
            if case .bpr = head.objective {
                // −log σ(s⁺ − s⁻) = softplus(s⁻ − s⁺)
                let margin = g.sub(g.slice(s, axis: 1, start: 1, length: 1), g.slice(s, axis: 1, start: 0, length: 1))
                loss = g.mean(g.softplus(margin))                                                  // [B, 1] → []
            } else {
                // −log σ(s⁺) − log(1 − σ(s⁻)) = softplus(−s⁺) + softplus(s⁻)
                let signs = Tensor(shape: [2], scalars: [-1, 1])
                loss = g.mean(g.sumLastAxis(g.softplus(g.mul(s, signs))))                         // [B, 2] → [B] → []
            }
        }
        let l2 = head.objective.l2
        if l2 > 0 {
            // λ/2 · Σ w² over the whole table, every step (TF's l2_regularizer).
            loss = g.add(loss, g.scale(g.sum(g.mul(head.weight, head.weight)), l2 / 2))
        }
        return loss
    }

    /// Negatives [B, 1] for `targets` under task k's sampler (never the row's own target), or nil
    /// for objectives that need none.
    public func negatives(task k: Int, targets: [Int32], rng: inout RandomStream) -> IndexTensor? {
        guard let sampler = head(k).objective.sampler else { return nil }
        return sampler.negatives(for: IndexTensor(targets), count: 1, rejectPositive: true, rng: &rng)
    }
}
