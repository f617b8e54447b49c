// The GRec encoder (Yuan et al., WWW 2020) as PeterRec pretrains it (reference/yuan-models.md §3.1):
// NextItNet's residual blocks with non-causal ("same"-padded) dilated convolutions over the whole
// masked row, trained to recover the masked items (`ClozeMasking`) with a full softmax at the
// masked positions only. Only the encoder is built; the full encoder–decoder GRec (§3.2) is not.
//
// Departures from the reference: full (fused) softmax instead of TF's sampled softmax, and a
// dedicated mask token (id N, an input-only embedding row) instead of id 0, which is our padding.
// Prediction follows `create_endmask`: a mask token after the history, scored from its hidden state.

import Tensors

/// A non-causal NextItNet encoder with GRec's masked-item objective.
public final class GRec {
    /// The underlying non-causal network; its embedding has one extra row for the mask token.
    public let network: NextItNet
    /// How training rows are corrupted.
    public var masking: ClozeMasking

    /// A GRec encoder for `configuration` (made non-causal, with one extra input token), initialised
    /// from the stream named "init" of `seed`.
    public convenience init(_ configuration: NextItNetConfiguration, seed: Seed, masking: ClozeMasking = ClozeMasking()) {
        self.init(configuration, initStream: seed.stream("init"), masking: masking)
    }

    /// A GRec encoder initialised from `initStream`.
    public init(_ configuration: NextItNetConfiguration, initStream: RandomStream, masking: ClozeMasking = ClozeMasking()) {
        var encoder = configuration
        encoder.causal = false
        encoder.extraInputTokens = max(1, configuration.extraInputTokens)
        network = NextItNet(encoder, initStream: initStream)
        self.masking = masking
    }

    /// The id that replaces masked items: the first input-only token, N.
    public var maskToken: Int32 { Int32(network.configuration.items) }

    /// Every parameter in a stable order (the same names as NextItNet's).
    public var parameters: [Tensor] { network.parameters }

    /// Masks `sequences` [B, L] with draws from `rng` (the run's "masking" stream) and returns the
    /// mean cross-entropy of the originals at the chosen positions.
    public func loss(_ g: Graph, sequences: IndexTensor, rng: inout RandomStream) -> Tensor {
        loss(g, masked: masking.apply(sequences, items: network.configuration.items, maskToken: maskToken, rng: &rng))
    }

    /// Mean cross-entropy of the original ids at the masked positions of an already masked batch.
    public func loss(_ g: Graph, masked: MaskedSequences) -> Tensor {
        let h = network.forward(g, masked.inputs)                           // [B, L, C]
        let rows = g.reshape(h, [h.rows, h.lastDim])                        // [B·L, C]
        let picked = g.gather(rows, axis: 0, indices: masked.positions)     // [M, C]
        return network.itemCrossEntropy(g, hidden: picked, targets: masked.targets)
    }

    /// Inputs for predicting the item after each history row [B, L]: the history shifted left by
    /// one with the mask token in the last column [B, L] (the reference masks the test row's last
    /// token, which is the same thing for a fixed window).
    public func predictionInputs(_ history: IndexTensor) -> IndexTensor {
        precondition(history.shape.count == 2 && history.shape[1] >= 1, "GRec: history must be [B, L], got \(history.shape)")
        let (b, l) = (history.shape[0], history.shape[1])
        var values: [Int32] = []
        values.reserveCapacity(b * l)
        for r in 0..<b {
            values.append(contentsOf: history.values[(r * l + 1)..<((r + 1) * l)])
            values.append(maskToken)
        }
        return IndexTensor(shape: [b, l], values: values)
    }

    /// Hidden states [B, C] at the mask slot of `predictionInputs(history)`, ready for `network.scores`.
    public func predictionHidden(_ g: Graph, history: IndexTensor) -> Tensor {
        let inputs = predictionInputs(history)
        let (b, l) = (inputs.shape[0], inputs.shape[1])
        let h = network.forward(g, inputs)                                  // [B, L, C]
        let rows = g.reshape(h, [b * l, h.lastDim])                         // [B·L, C]
        return g.gather(rows, axis: 0, indices: (0..<b).map { $0 * l + l - 1 })   // [B, C]
    }
}
