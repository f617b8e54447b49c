// NextItNet (Yuan et al., WSDM 2019; reference/yuan-models.md §2): item embedding → dilated
// residual blocks → projection to all items. Trained by teacher forcing: the hidden state at
// position t predicts the item at t + 1, at every position whose target is not padding.
//
// Departures from the TF reference, on purpose: full softmax (the fused, memory-bounded kernel) by
// default instead of TF's sampled softmax (sampled softmax, BPR and BCE are NextItemObjectives, in
// NextItNetObjectives.swift), the loss averages over non-padding targets only (TF averages over
// all positions, pad labels included), and no ReLU before the output layer unless
// `reluBeforeOutput` is set. Id 0 reads and trains an embedding row like any id, as in the TF code
// (there `<UNK>`) and in the golden PyTorch case. The weights start as the configuration's
// `initialisation` says: TF's scheme here, but `nextitnet(...)` in the language draws the embedding
// N(0, 1) on sparse data (Docs/nextitnet-sparse.md).

import Tensors

/// A NextItNet (causal) or GRec-encoder (non-causal) network of dilated residual blocks.
public final class NextItNet {
    /// The sizes this network was built with.
    public let configuration: NextItNetConfiguration
    /// Item (and extra input token) embedding [N + extra, C], named `embedding`.
    public let embedding: Tensor
    /// The residual blocks, one per entry of `configuration.dilations`, named `block<i>.*`.
    public let blocks: [ResidualBlock]
    /// Output projection [C, N] (`output.weight`) and bias [N] (`output.bias`).
    public let outputWeight: Tensor, outputBias: Tensor

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: NextItNetConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`; each parameter draws from its own derived stream.
    public init(_ configuration: NextItNetConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        let scheme = configuration.initialisation
        embedding = scheme.embedding(configuration, stream: initStream)
        blocks = configuration.dilations.enumerated().map { i, d in
            ResidualBlock(prefix: "block\(i)", dilation: d, configuration: configuration, stream: initStream)
        }
        (outputWeight, outputBias) = scheme.output(configuration, stream: initStream)
    }

    /// Every parameter in a stable order: embedding, block0.conv1.weight, ..., output.weight, output.bias.
    public var parameters: [Tensor] { [embedding] + blocks.flatMap(\.parameters) + [outputWeight, outputBias] }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// ids [B, L] → the hidden state after every block, each [B, L, C].
    public func blockOutputs(_ g: Graph, _ ids: IndexTensor) -> [Tensor] {
        precondition(ids.shape.count == 2, "NextItNet.forward: ids must be [B, L], got \(ids.shape)")
        var h = g.embedding(embedding, ids, paddingIndex: nil)   // [B, L, C]
        var outputs: [Tensor] = []
        outputs.reserveCapacity(blocks.count)
        for block in blocks {
            h = block(g, h)                                       // [B, L, C]
            outputs.append(h)
        }
        return outputs
    }

    /// ids [B, L] → hidden states [B, L, C] after the last block.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> Tensor { blockOutputs(g, ids).last! }

    /// Logits over all N items for hidden rows [R, C] (or [..., C]) → [R, N]. Callers score a block
    /// of rows at a time (evaluation), so the full users × items matrix never exists.
    public func scores(_ g: Graph, hidden: Tensor) -> Tensor {
        precondition(hidden.lastDim == configuration.channels,
                     "NextItNet.scores: hidden rows need \(configuration.channels) channels, got \(hidden.shape)")
        let rows = g.reshape(hidden, [hidden.rows, configuration.channels])   // [R, C]
        return g.linear(projectionInput(g, rows), outputWeight, outputBias)    // [R, N]
    }

    /// Mean next-item cross-entropy: inputs [B, L] predict targets [B, L] (target 0 = padding, not
    /// counted). Full logits are never materialised: the fused kernel works in row blocks.
    public func loss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor) -> Tensor {
        precondition(configuration.causal, "NextItNet.loss is next-item prediction; a non-causal network would see its targets (use GRec)")
        precondition(inputs.shape == targets.shape, "NextItNet.loss: inputs \(inputs.shape) and targets \(targets.shape) differ")
        let h = forward(g, inputs)                                           // [B, L, C]
        return itemCrossEntropy(g, hidden: g.reshape(h, [h.rows, h.lastDim]), targets: targets)
    }

    /// The loss on whole sequences [B, L + 1]: columns 0..<L are inputs, 1...L targets.
    public func loss(_ g: Graph, sequences: IndexTensor) -> Tensor {
        let (inputs, targets) = Self.nextItemPairs(sequences)
        return loss(g, inputs: inputs, targets: targets)
    }

    /// Mean cross-entropy of hidden rows [R, C] against item targets [R] (0 ignored), fused with
    /// the output projection.
    func itemCrossEntropy(_ g: Graph, hidden: Tensor, targets: IndexTensor) -> Tensor {
        g.fusedSoftmaxCrossEntropy(hidden: projectionInput(g, hidden), weight: outputWeight, bias: outputBias,
                                   targets: IndexTensor(shape: [targets.count], values: targets.values),
                                   ignoreIndex: 0)
    }

    /// What the output layer reads: H, or ReLU(H) when the configuration asks for TF's form.
    func projectionInput(_ g: Graph, _ h: Tensor) -> Tensor {
        configuration.reluBeforeOutput ? g.relu(h) : h
    }

    /// Splits sequences [B, L + 1] into teacher-forcing inputs [B, L] (columns 0..<L) and targets
    /// [B, L] (columns 1...L).
    public static func nextItemPairs(_ sequences: IndexTensor) -> (inputs: IndexTensor, targets: IndexTensor) {
        precondition(sequences.shape.count == 2 && sequences.shape[1] >= 2,
                     "nextItemPairs: sequences must be [B, L + 1] with L ≥ 1, got \(sequences.shape)")
        let (b, width) = (sequences.shape[0], sequences.shape[1])
        var inputs: [Int32] = [], targets: [Int32] = []
        inputs.reserveCapacity(b * (width - 1))
        targets.reserveCapacity(b * (width - 1))
        for r in 0..<b {
            let row = sequences.values[(r * width)..<((r + 1) * width)]
            inputs.append(contentsOf: row.dropLast())
            targets.append(contentsOf: row.dropFirst())
        }
        return (IndexTensor(shape: [b, width - 1], values: inputs), IndexTensor(shape: [b, width - 1], values: targets))
    }
}
