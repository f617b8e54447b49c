// NextItNet as RecBole 1.2.1 builds it (`sequential_recommender/nextitnet.py`), which is not the
// authors' model (Docs/fidelity.md, rows N1–N6); SeqLab offers it to compare with RecBole's numbers
// and to import RecBole's checkpoints:
//   x      = E_item[s]                               [B, W, C]   (W = maxLength: RecBole pads every
//                                                                 row on the right to its full width)
//   x      = ResidualBlock(d)(x) for d in dilations   [B, W, C]   (block (b), as the authors', causal)
//   h      = x[:, W − 1]                             [B, C]      (the LAST COLUMN, padding or not)
//   u      = h W_finalᵀ + b_final                    [B, E]      (final_layer, C → E; E = C here)
//   logits = u E_itemᵀ                               [B, N]      (tied to the item table, no bias)
// trained with CE (or BPR) on RecBole's prefix rows, without RecBole's reg_weight term (norms of
// the item table, the final layer and every block weight; Docs/fidelity.md, N7). Id 0 reads its row but, as nn.Embedding's
// padding_idx, passes no gradient to it through lookups (the tied output still trains it).
// Reading the last column is RecBole's: for a history shorter than the window, the state read sits
// on padding and reaches the items only through the receptive field.
//
// Initialisation as RecBole's `_init_weights`: item table U(±1/√N), final_layer xavier_normal with
// bias 0.1; the convolutions keep PyTorch's defaults (Conv2d: U(±1/√(C·k)) for weights and bias),
// the layer norms 1 and 0. Each parameter draws from its own stream derived by name.

import Tensors

/// Sizes of RecBole's NextItNet.
public struct RecBoleNextItNetConfiguration: Sendable, Equatable {
    /// Item ids N, padding included.
    public var items: Int
    /// Embedding and residual width C (RecBole's embedding_size; its residual_channels equals it).
    public var channels: Int
    /// Convolution width k.
    public var kernel: Int
    /// One residual block per entry d, convolutions dilated d and 2d (RecBole's dilations × block_num).
    public var dilations: [Int]
    /// The window W every row is padded to (RecBole's MAX_ITEM_LIST_LENGTH); the state is read at W − 1.
    public var maxLength: Int

    /// A configuration; the defaults are SeqLab's NextItNet's (64 channels, k 3, [1, 4, 1, 4]) and a
    /// window of 50; RecBole's NextItNet.yaml repeats [1, 4] five times.
    public init(items: Int, channels: Int = 64, kernel: Int = 3, dilations: [Int] = [1, 4, 1, 4], maxLength: Int = 50) {
        if let problem = Self.problem(items: items, channels: channels, kernel: kernel, dilations: dilations, maxLength: maxLength) {
            preconditionFailure(problem)
        }
        self.items = items
        self.channels = channels
        self.kernel = kernel
        self.dilations = dilations
        self.maxLength = maxLength
    }

    /// Why these sizes cannot build a network, or nil (checked against NextItNet's bounds).
    public static func problem(items: Int, channels: Int, kernel: Int, dilations: [Int], maxLength: Int) -> String? {
        if let problem = NextItNetConfiguration.problem(items: items, channels: channels, kernel: kernel, dilations: dilations) {
            return problem
        }
        if !(1...100_000).contains(maxLength) { return "maxLength must be from 1 to 100000, got \(maxLength)" }
        return nil
    }

    /// The blocks' sizes as SeqLab's NextItNet states them (causal, LN epsilon 1e-8, RecBole's init).
    var backbone: NextItNetConfiguration {
        NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations, layerNormEps: 1e-8,
                               causal: true, initialisation: NextItNetInitialisation(.recbole))
    }
}

/// RecBole 1.2.1's NextItNet: SeqLab's residual blocks, read at the last column, a final linear
/// layer and the tied item table.
public final class RecBoleNextItNet: TiedItemNetwork {
    /// The sizes.
    public let configuration: RecBoleNextItNetConfiguration
    /// Item table [N, C], named `item_embedding`; also the output (tied).
    public let itemEmbedding: Tensor
    /// The residual blocks, named `block<i>.*` as NextItNet's.
    public let blocks: [ResidualBlock]
    /// final_layer's weight [C, E] (stored [in, out]), named `final.weight`, and bias [E], `final.bias`.
    public let finalWeight: Tensor, finalBias: Tensor

    public static var modelName: String { "NextItNet" }

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: RecBoleNextItNetConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`, each parameter from its own derived stream.
    public init(_ configuration: RecBoleNextItNetConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        let (n, c) = (configuration.items, configuration.channels)
        itemEmbedding = Initialisation.uniform("item_embedding", shape: [n, c], bound: 1 / Float(n).squareRoot(), stream: initStream)
        let backbone = configuration.backbone
        blocks = configuration.dilations.enumerated().map { i, d in
            ResidualBlock(prefix: "block\(i)", dilation: d, configuration: backbone, stream: initStream)
        }
        // xavier_normal_ on a square C × C weight: std √(2 / (C + C)).
        finalWeight = Initialisation.normal("final.weight", shape: [c, c], std: (2 / Float(2 * c)).squareRoot(), stream: initStream)
        finalBias = Initialisation.constant("final.bias", shape: [c], value: 0.1)
    }

    public var items: Int { configuration.items }
    public var maxLength: Int { configuration.maxLength }

    /// item_embedding, each block's (conv1, ln1, conv2, ln2), final weight and bias.
    public var parameters: [Tensor] { [itemEmbedding] + blocks.flatMap(\.parameters) + [finalWeight, finalBias] }

    /// ids [B, ≤ W] (left-aligned) → u [B, C]: rows padded with 0 to the full window W, the blocks,
    /// the state at column W − 1 (RecBole's `dilate_outputs[:, -1, :]`), the final layer.
    public func userVectors(_ g: Graph, _ ids: IndexTensor) -> Tensor {
        precondition(ids.shape.count == 2 && ids.shape[1] <= configuration.maxLength,
                     "RecBoleNextItNet: ids must be [B, ≤ \(configuration.maxLength)], got \(ids.shape)")
        let (b, l, w) = (ids.shape[0], ids.shape[1], configuration.maxLength)
        var padded = [Int32](repeating: 0, count: b * w)
        for r in 0..<b { for c in 0..<l { padded[r * w + c] = ids.values[r * l + c] } }
        var h = g.embedding(itemEmbedding, IndexTensor(shape: [b, w], values: padded), paddingIndex: 0)   // [B, W, C]
        for block in blocks { h = block(g, h) }                                                          // [B, W, C]
        let c = configuration.channels
        let last = g.gather(g.reshape(h, [b * w, c]), axis: 0, indices: (0..<b).map { $0 * w + w - 1 })  // [B, C]
        return g.linear(last, finalWeight, finalBias)                                                    // [B, C]
    }

    /// RecBole's loss: each row's state at the last column predicts `targets` [B] (0 not counted).
    /// `lengths` are not read: RecBole reads the last column whatever the length. No dropout.
    public func prefixLoss(_ g: Graph, inputs: IndexTensor, lengths: [Int], targets: IndexTensor,
                           objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        g.tiedItemLoss(hidden: userVectors(g, inputs), table: itemEmbedding, targets: targets, objective: objective,
                     model: Self.modelName, rng: &rng)
    }

    /// RecBole's NextItNet trains on prefix rows only; its family refuses sequence rows.
    public func sequenceLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor,
                             objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        preconditionFailure("RecBole's NextItNet trains on prefix rows only")
    }

    /// ids [B, ≤ W] → scores [B, N] (full_sort_predict: u E_itemᵀ, padding column included).
    public func lastPositionScores(_ g: Graph, _ ids: IndexTensor, lengths: [Int]) -> Tensor {
        tableScores(g, userVectors(g, ids))
    }
}
