// A pretrained NextItNet / GRec encoder transferred to a new task (reference/yuan-models.md §4):
// PeterRec's patches, or one of the three baselines the paper compares with. What trains:
//
//   mode        backbone (embedding, convs, LN1)   LN2      patches   head
//   peterrec    frozen                             trained  trained   trained
//   head        frozen                             frozen   —         trained
//   all         trained (from the pretrained)      trained  —         trained
//   scratch     trained (fresh initialisation)     trained  —         trained
//
// The backbone is always a copy: training never changes the base model, and several transfers of
// one base can be compared side by side. The user vector is read at the CLS slot in every mode (the
// reference's FineAll script reads the last source item instead), so the modes differ only in what
// they train. Losses: BCE with one uniform negative (the reference default), BPR with the LambdaFM
// sampler over the task's training target frequencies, or the full softmax over the targets (for
// small label spaces such as classes); each adds the head's L2 term (coefficient/2)·‖E_t‖² over the
// whole table every step, as the reference's `l2_regularizer(0.02)`. Unlike the reference, sampled
// negatives never equal the row's positive.

import Datasets
import Models
import Tensors

/// What a transfer trains.
public enum TransferMode: Sendable, Equatable, CustomStringConvertible {
    /// PeterRec: patches in every block, plus LN2 and the head.
    case peterrec(PatchInsertion)
    /// Fine-tune everything from the pretrained weights.
    case all
    /// Train the head only.
    case head
    /// Train everything from a fresh initialisation (no transfer).
    case scratch

    public var description: String {
        switch self {
        case .peterrec(let insertion): "peterrec-\(insertion.rawValue)"
        case .all: "finetune-all"
        case .head: "finetune-head"
        case .scratch: "scratch"
        }
    }

    /// The mode `description` names ("peterrec-serial", "finetune-head", ...), or nil; checkpoints store modes so.
    public init?(description: String) {
        let modes: [TransferMode] = PatchInsertion.allCases.map { .peterrec($0) } + [.all, .head, .scratch]
        guard let mode = modes.first(where: { $0.description == description }) else { return nil }
        self = mode
    }
}

/// A pretrained sequence encoder with a new target head, trained as `mode` says.
public final class TransferRecommender: TrainableRecommender {
    /// The network (its own copy of the backbone).
    public let network: PeterRec
    public let name: String
    /// What trains.
    public let mode: TransferMode
    /// The head's loss.
    public let loss: TransferLoss
    /// L2 coefficient λ of the head; the loss adds λ/2 · ‖E_t‖².
    public let headL2: Float
    /// Source items read per row.
    public let maxLength: Int
    /// The negative sampler of BCE / BPR (nil for softmax).
    let sampler: NegativeSampler?
    /// How often each target id is a training target (index 0 unused): the LambdaFM ranks of BPR's
    /// sampler, kept so that a checkpoint can rebuild the sampler without the task.
    let targetCounts: [Int]
    private let graph = Graph()

    /// Targets 1...itemCount (scores have the padding column 0 too).
    public var itemCount: Int { network.targets - 1 }

    /// A transfer of `base` (a NextItNet or a GRec encoder network) to `task`. The base's weights are
    /// copied (or, for `.scratch`, a network of the same sizes is initialised from `seed`).
    public convenience init(base: NextItNet, task: TransferTask, mode: TransferMode, patchHidden: Int, loss: TransferLoss,
                            headL2: Float = 0.02, seed: Seed, name: String) throws {
        try self.init(base: base, backbone: base.configuration, targets: task.labels.count, targetCounts: task.trainCounts,
                      maxLength: task.split.maxLength, mode: mode, patchHidden: patchHidden, loss: loss, headL2: headL2,
                      seed: seed, name: name)
    }

    /// A transfer over a backbone of sizes `configuration` to `targets` ids (padding included) whose
    /// training frequencies are `targetCounts`, reading `maxLength` source items per row. The
    /// backbone copies `base`'s weights when there is one and the mode is not `.scratch`; a
    /// checkpoint passes none and writes every weight afterwards.
    init(base: NextItNet?, backbone configuration: NextItNetConfiguration, targets: Int, targetCounts: [Int], maxLength: Int,
         mode: TransferMode, patchHidden: Int, loss: TransferLoss, headL2: Float, seed: Seed, name: String) throws {
        let backbone = NextItNet(configuration, initStream: seed.stream("init.backbone"))
        if mode != .scratch, let base {
            for (mine, theirs) in zip(backbone.parameters, base.parameters) {
                precondition(mine.name == theirs.name && mine.count == theirs.count, "TransferRecommender: backbone layouts differ at \(theirs.name)")
                mine.pointer.update(from: theirs.pointer, count: theirs.count)
            }
        }
        var insertion: PatchInsertion?
        if case .peterrec(let i) = mode { insertion = i }
        network = PeterRec(backbone: backbone, targets: targets, insertion: insertion, patchHidden: patchHidden,
                           stream: seed.stream("init.transfer"))
        self.mode = mode
        self.loss = loss
        self.headL2 = headL2
        self.maxLength = maxLength
        self.name = name
        self.targetCounts = targetCounts
        switch loss {
        case .bce: sampler = try NegativeSampler.uniform(itemCount: targets)
        case .bpr: sampler = try NegativeSampler.lambdaFM(counts: targetCounts, rho: 0.3)
        case .softmax: sampler = nil
        }
        // Freeze what this mode does not train.
        switch mode {
        case .peterrec:
            for p in [backbone.embedding] + backbone.blocks.flatMap({ [$0.conv1Weight, $0.conv1Bias, $0.ln1Gamma, $0.ln1Beta, $0.conv2Weight, $0.conv2Bias] }) {
                p.isFrozen = true
            }
        case .head:
            for p in [backbone.embedding] + backbone.blocks.flatMap(\.parameters) { p.isFrozen = true }
        case .all, .scratch:
            break
        }
    }

    public var parameters: [Tensor] { network.parameters }
    public var trainingRowKind: RowKind { .prefix }

    /// Scalars that training changes.
    public var trainedParameterCount: Int { parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count } }

    public var architecture: String {
        let c = network.backbone.configuration
        let kind = c.causal ? "causal NextItNet" : "non-causal GRec encoder"
        let patches = network.insertion.map { ", \($0.rawValue) patches of width \(patchHidden)" } ?? ""
        return "\(mode) transfer of a \(kind) (\(c.channels) channels, dilations \(c.dilations.map(String.init).joined(separator: ",")))\(patches) "
            + "to \(itemCount) targets, loss \(loss.rawValue), head L2 \(headL2); trains \(groupedThousands(trainedParameterCount)) of \(groupedThousands(parameterCount)) parameters"
    }

    public var configurationEntries: [(String, String)] {
        let c = network.backbone.configuration
        return [("model", PeterRecFamily.kind), ("mode", mode.description), ("targets", String(network.targets))]
            + NextItNetFamily.entries(c)
            + [("causal", String(c.causal)), ("patch", String(patchHidden)), ("loss", loss.rawValue), ("headL2", String(headL2)),
               ("maxLength", String(maxLength))]
    }

    /// The patches' bottleneck width h (0 without patches).
    public var patchHidden: Int { network.patches.first?.0.downWeight.shape[1] ?? 0 }

    /// Input ids [B, W] and the read columns of each row of `batch`.
    func inputs(_ batch: Batch) -> (ids: IndexTensor, read: [[Int]]) {
        let longest = (0..<batch.count).map { min(Int(batch.lengths[$0]), maxLength) }.max() ?? 0
        let width = network.causal ? longest + 1 : maxLength + 2
        var ids: [Int32] = [], read: [[Int]] = []
        ids.reserveCapacity(batch.count * width)
        for b in 0..<batch.count {
            let start = b * batch.width
            let row = network.layout(batch.items[start..<(start + Int(batch.lengths[b]))], maxLength: maxLength, width: width)
            ids.append(contentsOf: row.ids)
            read.append(row.read)
        }
        return (IndexTensor(shape: [batch.count, width], values: ids), read)
    }

    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let (ids, read) = inputs(batch)
        let targets = IndexTensor(shape: [batch.count], values: Array(batch.targets[0..<batch.count]))
        let negatives = sampler?.negatives(for: targets, count: 1, rejectPositive: true, rng: &rng)     // [B, 1]
        return network.loss(g, ids: ids, read: read, targets: targets, negatives: negatives, loss: loss, headL2: headL2)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        graph.reset()
        graph.withoutRecording {
            let (ids, read) = inputs(batch)
            let user = network.userVectors(graph, hidden: network.forward(graph, ids), read: read)   // [B, C]
            let s = network.scores(graph, user: user)                                                // [B, T]
            scores.update(from: s.pointer, count: batch.count * network.targets)
        }
    }
}

/// 1234567 → "1,234,567" (for parameter counts in summaries).
public func groupedThousands(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}
