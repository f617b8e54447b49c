// Conure's weight ownership and pruning (reference/yuan-models.md §5.3–5.4).
//
// Every element of every convolution weight tensor is either free or owned by exactly one task, so
// the binary masks M_1, M_2, ... of the reference are disjoint by construction (one owner byte per
// element rather than one Float mask per task). After task k trains, its weights are chosen among
// the still-free ones by magnitude, per tensor:
//   keep  = p_1 · … · p_{k−1} · (1 − p_k)          share of the *whole* tensor (p = prune fraction),
//                                                  e.g. 30%, 21%, 14.7% with p = 0.7 throughout
//   c     = int(keep · n)                          n = elements of the tensor, truncated as TF's cast
//   θ     = the (c+1)-th largest |w| among the free weights (`top_k(..., c+1).values[c]`)
//   M_k   = free ∧ |w| ≥ θ                         ties kept, so c + 1 weights when there are none
// The reference ranks |W ⊙ (1 − F)| over the whole tensor, frozen entries as zeros; ranking only the
// free entries gives the same θ whenever c + 1 weights are free and nonzero, and never hands a
// frozen weight to a new task when they are not (there the reference's `>= θ` with θ = 0 would).
// Pruned weights keep their trained values: they are where the next task's training starts.

import Tensors

/// Which task owns each element of each prunable tensor.
public struct ConureMasks: Sendable, Equatable {
    /// `owners[t][i]`: 0 if element i of tensor t is free, else the (1-based) task that owns it.
    public private(set) var owners: [[UInt8]]

    /// Tasks a network can own weights for (owners are bytes).
    public static let maximumTasks = 255

    /// All elements free, for tensors of the given element counts.
    public init(sizes: [Int]) { owners = sizes.map { [UInt8](repeating: 0, count: $0) } }

    /// The ownership `owners` describes (a checkpoint's), which must have one entry per element
    /// of tensors of `sizes`, each a task in 0...`tasks`; nil when it does not.
    public init?(owners: [[UInt8]], sizes: [Int], tasks: Int) {
        guard owners.map(\.count) == sizes, owners.allSatisfy({ $0.allSatisfy { Int($0) <= tasks } }) else { return nil }
        self.owners = owners
    }

    /// Number of prunable tensors.
    public var tensorCount: Int { owners.count }

    /// Elements of tensor `t` owned by `task` (0 = free ones).
    public func count(tensor t: Int, task: Int) -> Int {
        let owner = UInt8(task)
        return owners[t].reduce(0) { $0 + ($1 == owner ? 1 : 0) }
    }

    /// Frees every element `task` owns.
    public mutating func release(task: Int) {
        let owner = UInt8(task)
        for t in owners.indices { for i in owners[t].indices where owners[t][i] == owner { owners[t][i] = 0 } }
    }

    /// 0/1 per element of tensor `t`: 1 where `include(owner)` holds.
    public func mask(tensor t: Int, _ include: (Int) -> Bool) -> [Float] {
        owners[t].map { include(Int($0)) ? 1 : 0 }
    }

    /// The share of a whole tensor task `k` keeps when the prune fractions of tasks 1...k are
    /// `fractions`: p_1 · … · p_{k−1} · (1 − p_k), multiplied in the reference's order.
    public static func keepFraction(_ fractions: [Double]) -> Double {
        precondition(!fractions.isEmpty, "keepFraction needs the prune fraction of at least one task")
        return fractions.dropLast().reduce(1, *) * (1 - fractions.last!)
    }

    /// c = int(keep · n) as the reference casts it; the mask then holds c + 1 weights (θ is the
    /// (c+1)-th largest), or every free weight when fewer are left.
    public static func cutoff(keep: Double, of n: Int) -> Int { Int(keep * Double(n)) }

    /// Gives `task` the free elements of tensor `t` whose magnitude in `weights` is at least the
    /// (c+1)-th largest free magnitude, c = `cutoff`; returns how many it took.
    @discardableResult
    public mutating func prune(tensor t: Int, weights: UnsafePointer<Float>, task: Int, cutoff c: Int) -> Int {
        precondition(task >= 1 && task <= Self.maximumTasks, "task \(task) outside 1...\(Self.maximumTasks)")
        precondition(c >= 0, "the cutoff must not be negative")
        let n = owners[t].count
        let free = (0..<n).filter { owners[t][$0] == 0 }
        guard !free.isEmpty else { return 0 }
        let owner = UInt8(task)
        if c + 1 >= free.count {
            for i in free { owners[t][i] = owner }
            return free.count
        }
        let magnitudes = free.map { abs(weights[$0]) }.sorted(by: >)
        let threshold = magnitudes[c]
        var taken = 0
        for i in free where abs(weights[i]) >= threshold {
            owners[t][i] = owner
            taken += 1
        }
        return taken
    }
}

extension Conure {
    /// Prunes after task `task` with prune fraction `fraction` (the share of the free weights to
    /// release for later tasks): every convolution tensor gives the task its largest free weights,
    /// `keepFraction` of the whole tensor. Returns the number of weights taken per tensor.
    @discardableResult
    public func prune(task: Int, fraction: Double) -> [Int] {
        precondition(strategy == .conure, "the fine-tune-everything baseline does not prune")
        precondition(task == pruneFractions.count + 1 && task <= heads.count,
                     "Conure prunes tasks in order: next is \(pruneFractions.count + 1), got \(task)")
        precondition(fraction > 0 && fraction < 1, "the prune fraction must lie strictly between 0 and 1, got \(fraction)")
        pruneFractions.append(fraction)
        let keep = ConureMasks.keepFraction(pruneFractions)
        var taken: [Int] = []
        for (t, w) in convolutionWeights.enumerated() {
            taken.append(masks.prune(tensor: t, weights: w.pointer, task: task,
                                     cutoff: ConureMasks.cutoff(keep: keep, of: w.count)))
        }
        ownedUpTo.removeAll()
        return taken
    }

    /// Puts back the ownership and prune fractions of tasks already learned (a checkpoint's), and
    /// enters the inference phase of the last of them, as the learner leaves a network between tasks.
    public func restoreOwnership(_ masks: ConureMasks, pruneFractions: [Double]) {
        precondition(masks.tensorCount == convolutionWeights.count, "Conure: masks for \(masks.tensorCount) tensors, not \(convolutionWeights.count)")
        precondition(pruneFractions.count <= heads.count, "Conure: more prune fractions than tasks")
        self.masks = masks
        self.pruneFractions = pruneFractions
        ownedUpTo.removeAll()
        if !heads.isEmpty { enter(.inference(task: heads.count)) }
    }

    /// Gives up the last task: its head, its weights (free again, values as they are) and its prune
    /// fraction; every parameter is left frozen. For a task whose learning did not finish.
    public func removeLastTask() {
        precondition(!heads.isEmpty, "Conure has no task to remove")
        let k = heads.count
        for p in parameters {
            p.isFrozen = true
            p.gradientMask = nil
        }
        heads.removeLast()
        masks.release(task: k)
        if pruneFractions.count >= k { pruneFractions.removeLast(pruneFractions.count - k + 1) }
        ownedUpTo.removeAll()
        phase = nil
    }

    /// Free elements per convolution tensor.
    public var freeCounts: [Int] { (0..<masks.tensorCount).map { masks.count(tensor: $0, task: 0) } }

    /// 0/1 tensors (one per convolution) that are 1 where tasks 1...k own the weight.
    func ownedMasks(upTo k: Int) -> [Tensor] {
        if let cached = ownedUpTo[k] { return cached }
        let made = convolutionWeights.enumerated().map { t, w in
            Tensor(shape: w.shape, scalars: masks.mask(tensor: t) { $0 >= 1 && $0 <= k }, name: w.name + ".owned≤\(k)")
        }
        ownedUpTo[k] = made
        return made
    }

    /// The convolution weights a forward pass in `phase` computes with:
    ///   train-and-prune k, fine-tune-all   W itself (free weights train, frozen ones feed forward)
    ///   retrain k                          W ⊙ (M_1 + … + M_k): later tasks' and free weights are zero
    ///   inference j (Conure)               W ⊙ (M_1 + … + M_j), as exact copies with zeros
    ///   inference j (fine-tune-all)        W itself
    public func effectiveConvolutionWeights(_ g: Graph, _ phase: ConurePhase) -> [Tensor] {
        let weights = convolutionWeights
        switch (phase, strategy) {
        case (.trainAndPrune, _), (.fineTuneAll, _), (.inference, .fineTuneAll):
            return weights
        case (.retrain(let k), _):
            // The product carries the gradient to W ⊙ mask; the gradient mask then keeps M_k only.
            return zip(weights, ownedMasks(upTo: k)).map { g.mul($0, $1) }
        case (.inference(let j), .conure):
            // Selected rather than multiplied, so an excluded weight is +0 whatever its sign: the
            // result is bit for bit the same however the free weights have moved since.
            return zip(weights, ownedMasks(upTo: j)).map { w, m in
                let out = g.make(w.shape)
                for i in 0..<w.count { out.pointer[i] = m.pointer[i] != 0 ? w.pointer[i] : 0 }
                return out
            }
        }
    }

    /// Sets which parameters train in `phase` (`isFrozen`) and which of their elements may move
    /// (`gradientMask`), and returns the trainable ones in a fixed order (for a fresh optimizer):
    ///   train-and-prune 1   embedding, layer norms, convolutions, head 1
    ///   train-and-prune k   the free convolution weights, head k
    ///   retrain k           the convolution weights task k kept, head k
    ///   fine-tune-all k     embedding, layer norms, all convolution weights, head k
    ///   inference           nothing
    /// Convolution biases never train. Elements outside a gradient mask get zero gradient and no
    /// optimizer update at all (no momentum, no decay), so they stay bit for bit as they are.
    @discardableResult
    public func enter(_ phase: ConurePhase) -> [Tensor] {
        switch (phase, strategy) {
        case (.trainAndPrune, .fineTuneAll), (.retrain, .fineTuneAll):
            preconditionFailure("the fine-tune-everything baseline trains in .fineTuneAll phases only")
        case (.fineTuneAll, .conure):
            preconditionFailure("Conure trains in .trainAndPrune and .retrain phases")
        default: break
        }
        if phase.task > heads.count { preconditionFailure("\(phase) needs the head of task \(phase.task); add it first") }
        self.phase = phase
        for p in parameters {
            p.isFrozen = true
            p.gradientMask = nil
        }
        var trainable: [Tensor] = []
        func train(_ p: Tensor, mask: [Float]? = nil) {
            p.isFrozen = false
            p.gradientMask = mask.map { Tensor(shape: p.shape, scalars: $0, name: p.name + ".gradientMask") }
            trainable.append(p)
        }
        let sharedNorms = blocks.flatMap { [$0.ln1Gamma, $0.ln1Beta, $0.ln2Gamma, $0.ln2Beta] }
        switch phase {
        case .inference:
            return []
        case .trainAndPrune(let k):
            if k == 1 { train(embedding); sharedNorms.forEach { train($0) } }
            for (t, w) in convolutionWeights.enumerated() {
                let anyFrozen = masks.owners[t].contains { $0 != 0 }
                train(w, mask: anyFrozen ? masks.mask(tensor: t) { $0 == 0 } : nil)
            }
        case .retrain(let k):
            for (t, w) in convolutionWeights.enumerated() { train(w, mask: masks.mask(tensor: t) { $0 == k }) }
        case .fineTuneAll:
            train(embedding)
            sharedNorms.forEach { train($0) }
            convolutionWeights.forEach { train($0) }
        }
        head(phase.task).parameters.forEach { train($0) }
        return trainable
    }
}
