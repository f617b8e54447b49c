// Conure (Yuan et al., SIGIR 2021, "One Person, One Model, One World"; reference/yuan-models.md §5):
// one causal network of dilated residual blocks learns tasks T1, T2, ... one after another. After
// each task the still-free convolution weights are pruned by magnitude; the survivors are retrained
// and then frozen as that task's own (ConureMasks.swift). Task j later runs on W ⊙ (M1 + … + Mj)
// with its own head, so nothing learned for it ever changes again: no forgetting by construction.
//
// The block is the reference's *pre*-LN variant (`ops.nextitnet_residual_block_withmask_*_beforeln`),
// not NextItNet's post-LN block:
//   A = Conv_d(ReLU(LN1(H)));  Z = Conv_2d(ReLU(LN2(A)));  H' = H + Z
// with convolution biases created zero and frozen forever (TF's `trainable=False`). One embedding
// table and one set of layer norms serve every task; they train in T1 only.
//
// Which weights a forward pass computes with and which may move is a `ConurePhase`
// (ConureTasks.swift); heads and losses per task are there too.
//
// Departures from the original (see Docs/fidelity.md, table Conure):
//   - task 1: full softmax, head TruncNormal(0.02) with bias 0, loss over non-padding targets
//     (the reference: 20 % sampled softmax, N(0, 0.01) / 0.1, every position);
//   - each phase stops early and keeps its best-validation weights, which pruning then uses (the
//     reference prunes the last weights; it has no validation split);
//   - masks are chosen among the free weights only (differs only when fewer than c + 1 are non-zero);
//   - negatives never equal the positive; LambdaFM ranks training targets only;
//   - evaluation: full ranking without id 0; class tasks default to the softmax;
//   - CPU-sized defaults (C 64, dilations [1, 4, 1, 4], lr 1e-3, batch 128); variable-length histories.

import Tensors

/// Sizes of a Conure backbone: a causal NextItNet's (id 0 is `<UNK>` in the reference: padding
/// past a row's end and the CLS slot appended for tasks 2 onwards; it reads an embedding row like
/// any id), read as `configuration.channels` and so on.
@dynamicMemberLookup
public struct ConureConfiguration: Sendable, Equatable {
    /// The backbone's sizes, layer-norm epsilon (1e-8 as in the TF reference) and initialisation
    /// (TF's truncated normal 0.02).
    public var backbone: NextItNetConfiguration

    /// A configuration; defaults are NextItNet's demo sizes (C 64, k 3, [1, 4, 1, 4], eps 1e-8).
    public init(items: Int, channels: Int = 64, kernel: Int = 3, dilations: [Int] = [1, 4, 1, 4],
                layerNormEps: Float = 1e-8, initStd: Float = 0.02) {
        backbone = NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations,
                                          layerNormEps: layerNormEps, initStd: initStd, causal: true)
    }

    /// `configuration.channels` for `configuration.backbone.channels`, and so on.
    public subscript<T>(dynamicMember field: WritableKeyPath<NextItNetConfiguration, T>) -> T {
        get { backbone[keyPath: field] }
        set { backbone[keyPath: field] = newValue }
    }
}

/// One pre-LN residual block with its two prunable convolutions.
public final class ConureBlock {
    /// Dilation of the first convolution; the second uses twice this.
    public let dilation: Int
    /// Layer-norm epsilon.
    public let eps: Float
    /// First layer norm's gain and shift [C] (shared by all tasks, trained in T1 only).
    public let ln1Gamma: Tensor, ln1Beta: Tensor
    /// First convolution [k, C, C] (prunable) and its bias [C] (zero, never trained).
    public let conv1Weight: Tensor, conv1Bias: Tensor
    /// Second layer norm's gain and shift [C].
    public let ln2Gamma: Tensor, ln2Beta: Tensor
    /// Second convolution [k, C, C] (prunable) and its bias [C] (zero, never trained).
    public let conv2Weight: Tensor, conv2Bias: Tensor

    /// A block named `prefix` (e.g. "block0"), initialised from `stream`.
    init(prefix: String, dilation: Int, configuration: ConureConfiguration, stream: RandomStream) {
        let (c, k, std) = (configuration.channels, configuration.kernel, configuration.initStd)
        self.dilation = dilation
        eps = configuration.layerNormEps
        ln1Gamma = Initialisation.constant("\(prefix).ln1.gamma", shape: [c], value: 1)
        ln1Beta = Initialisation.constant("\(prefix).ln1.beta", shape: [c], value: 0)
        conv1Weight = Initialisation.truncatedNormal("\(prefix).conv1.weight", shape: [k, c, c], std: std, stream: stream)
        conv1Bias = Initialisation.constant("\(prefix).conv1.bias", shape: [c], value: 0)
        ln2Gamma = Initialisation.constant("\(prefix).ln2.gamma", shape: [c], value: 1)
        ln2Beta = Initialisation.constant("\(prefix).ln2.beta", shape: [c], value: 0)
        conv2Weight = Initialisation.truncatedNormal("\(prefix).conv2.weight", shape: [k, c, c], std: std, stream: stream)
        conv2Bias = Initialisation.constant("\(prefix).conv2.bias", shape: [c], value: 0)
        // The reference creates the biases with trainable=False: they stay exactly zero.
        conv1Bias.isFrozen = true
        conv2Bias.isFrozen = true
    }

    /// The parameters in forward order: ln1, conv1 (weight, bias), ln2, conv2.
    public var parameters: [Tensor] {
        [ln1Gamma, ln1Beta, conv1Weight, conv1Bias, ln2Gamma, ln2Beta, conv2Weight, conv2Bias]
    }

    /// h [B, L, C] → h + Conv_2d(ReLU(LN2(Conv_d(ReLU(LN1(h)))))) [B, L, C], computing with the
    /// given effective convolution weights (the parameters themselves, or a masked view of them).
    public func callAsFunction(_ g: Graph, _ h: Tensor, conv1: Tensor, conv2: Tensor) -> Tensor {
        // [B, L, C] → [B, L, C]: normalise first, then the causal convolution with dilation d
        let a = g.conv1d(g.relu(g.layerNorm(h, gamma: ln1Gamma, beta: ln1Beta, eps: eps)), conv1,
                         bias: conv1Bias, dilation: dilation, causal: true)
        // [B, L, C] → [B, L, C]: dilation 2d; no norm or ReLU after it (unlike NextItNet's block)
        let z = g.conv1d(g.relu(g.layerNorm(a, gamma: ln2Gamma, beta: ln2Beta, eps: eps)), conv2,
                         bias: conv2Bias, dilation: 2 * dilation, causal: true)
        return g.add(h, z)
    }
}

/// How a Conure network learns a sequence of tasks.
public enum ConureStrategy: String, Sendable {
    /// Conure: train the free weights, prune, retrain the kept ones, freeze them per task.
    case conure
    /// The naive baseline: every weight (embedding, layer norms, all of every convolution) trains
    /// on each task in turn; earlier tasks keep their heads but see a backbone that moved on.
    case fineTuneAll = "finetune"
}

/// The Conure backbone, its task heads and the ownership of its convolution weights.
public final class Conure {
    /// The sizes it was built with.
    public let configuration: ConureConfiguration
    /// Conure's prune-and-freeze or the naive fine-tune-everything baseline.
    public let strategy: ConureStrategy
    /// Item embedding [V, C], named `embedding` (trained in T1 only).
    public let embedding: Tensor
    /// The residual blocks, named `block<i>.*`.
    public let blocks: [ConureBlock]
    /// One head per task learned so far: `heads[k - 1]` belongs to task k.
    public internal(set) var heads: [ConureHead] = []
    /// Which task owns each convolution weight (all free until T1 is pruned).
    public internal(set) var masks: ConureMasks
    /// Prune fraction used after each task (`pruneFractions[k - 1]` for task k).
    public internal(set) var pruneFractions: [Double] = []
    /// The phase the trainable flags are set for (`enter`).
    public internal(set) var phase: ConurePhase?
    let initStream: RandomStream
    /// 0/1 masks of tasks 1...k per convolution, by k (rebuilt after every prune).
    var ownedUpTo: [Int: [Tensor]] = [:]

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: ConureConfiguration, strategy: ConureStrategy = .conure, seed: Seed) {
        self.init(configuration, strategy: strategy, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`; each parameter draws from its own derived stream.
    public init(_ configuration: ConureConfiguration, strategy: ConureStrategy = .conure, initStream: RandomStream) {
        self.configuration = configuration
        self.strategy = strategy
        self.initStream = initStream
        embedding = Initialisation.truncatedNormal("embedding", shape: [configuration.items, configuration.channels],
                                                   std: configuration.initStd, stream: initStream)
        blocks = configuration.dilations.enumerated().map { i, d in
            ConureBlock(prefix: "block\(i)", dilation: d, configuration: configuration, stream: initStream)
        }
        masks = ConureMasks(sizes: blocks.flatMap { [$0.conv1Weight.count, $0.conv2Weight.count] })
    }

    /// The prunable convolution weights in a fixed order: block0.conv1, block0.conv2, block1.conv1, ...
    public var convolutionWeights: [Tensor] { blocks.flatMap { [$0.conv1Weight, $0.conv2Weight] } }

    /// Embedding and blocks: the parameters every task shares.
    public var sharedParameters: [Tensor] { [embedding] + blocks.flatMap(\.parameters) }

    /// Every parameter: the shared ones, then each head in task order.
    public var parameters: [Tensor] { sharedParameters + heads.flatMap(\.parameters) }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    /// Number of tasks with a head.
    public var taskCount: Int { heads.count }

    /// The head of task `k` (1-based).
    public func head(_ k: Int) -> ConureHead {
        precondition(k >= 1 && k <= heads.count, "Conure has tasks 1...\(heads.count), not \(k)")
        return heads[k - 1]
    }

    /// Adds the head of the next task (number `taskCount + 1`) and returns it. Task 1 must be
    /// next-item prediction over the items; later tasks score `targets` ids of their own.
    @discardableResult
    public func addTask(_ objective: ConureObjective, targets: Int) -> ConureHead {
        let k = heads.count + 1
        if case .nextItem = objective {
            precondition(k == 1, "only task 1 is next-item prediction")
            precondition(targets == configuration.items, "task 1 scores all \(configuration.items) item ids")
        } else {
            precondition(k >= 2, "task 1 is next-item prediction over the items")
            precondition(targets >= 2, "a task needs at least one target besides id 0")
        }
        let head = ConureHead(task: k, objective: objective, targets: targets, configuration: configuration, stream: initStream)
        heads.append(head)
        return head
    }

    /// ids [B, L] → hidden states [B, L, C] after the last block, with the convolution weights of
    /// `phase` (see `effectiveConvolutionWeights`).
    public func hidden(_ g: Graph, _ ids: IndexTensor, phase: ConurePhase) -> Tensor {
        precondition(ids.shape.count == 2, "Conure.hidden: ids must be [B, L], got \(ids.shape)")
        let weights = effectiveConvolutionWeights(g, phase)
        // Id 0 reads its row and may train (no padding index), as `<UNK>` in the reference.
        var h = g.embedding(embedding, ids, paddingIndex: nil)                    // [B, L, C]
        for (i, block) in blocks.enumerated() {
            h = block(g, h, conv1: weights[2 * i], conv2: weights[2 * i + 1])      // [B, L, C]
        }
        return h
    }
}
