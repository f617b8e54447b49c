// SASRec as RecBole implements it (`sequential_recommender/sasrec.py`; reference/text-models.md §1):
//   x = Dropout(LN(E_item[s] + E_pos[0 ..< L]))        [B, L, H]   (no √H scaling)
//   x = TransformerLayer_l(x) for each layer           [B, L, H]   (causal + key-padding mask)
//   h = x[b, length_b − 1]                             [B, H]      (the last real position)
//   logits = h E_itemᵀ                                 [B, N]      (tied table, no bias, PAD column kept)
//
// Positions: sequences are left-aligned, exactly as RecBole's (items at columns 0 ..< length, padding
// after), and position ids count from the left, 0 ..< L, so position 0 is always the oldest item
// read. (Original SASRec right-aligns; RecBole, UniSRec and VQ-Rec do not, and their position tables
// assume this layout.) Trailing padding columns can be cut per batch without changing any real
// position's state: a query attends only to keys at or before it.
//
// Initialisation follows RecBole's `_init_weights`: every embedding and linear weight N(0, 0.02)
// (the padding row 0 of the item table too: it is random, as in RecBole, and never trained through
// lookups), biases 0, layer norms γ 1 β 0; each parameter from its own stream derived by name.
// Dropout draws come from the caller's stream; the evaluation forward has none.

import Tensors

/// What one forward pass produced: the hidden states and the attention maps behind them.
public struct SASRecOutput {
    /// Hidden state of every position after the last layer [B, L, H].
    public let hidden: Tensor
    /// Attention probabilities of each layer [B, heads, L, L] (before attention dropout): the maps
    /// users inspect are these, from the same pass that scores.
    public let attention: [Tensor]
    /// Each layer's output [B, L, H], first layer first (the last one is `hidden`): contextual item
    /// representations concatenate the last few.
    public let layers: [Tensor]
}

/// A SASRec network: item and position embeddings, post-LN causal transformer layers, tied output.
public final class SASRec {
    /// The sizes this network was built with.
    public let configuration: SASRecConfiguration
    /// Item table [N, H], named `item_embedding`; also the output projection (tied).
    public let itemEmbedding: Tensor
    /// Position table [maxLength, H], named `position_embedding`.
    public let positionEmbedding: Tensor
    /// The embedding layer norm [H], named `ln.gamma` and `ln.beta`.
    public let lnGamma: Tensor, lnBeta: Tensor
    /// The transformer layers, named `layer<i>.*`.
    public let layers: [TransformerLayer]

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: SASRecConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`; each parameter draws from its own derived stream.
    public init(_ configuration: SASRecConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        let (h, std) = (configuration.hidden, configuration.initializerRange)
        itemEmbedding = Initialisation.normal("item_embedding", shape: [configuration.items, h], std: std, stream: initStream)
        positionEmbedding = Initialisation.normal("position_embedding", shape: [configuration.maxLength, h], std: std,
                                                  stream: initStream)
        lnGamma = Initialisation.constant("ln.gamma", shape: [h], value: 1)
        lnBeta = Initialisation.constant("ln.beta", shape: [h], value: 0)
        layers = (0..<configuration.layers).map { i in
            TransformerLayer(prefix: "layer\(i)", hidden: h, heads: configuration.heads, inner: configuration.inner,
                             eps: configuration.layerNormEps, std: std, stream: initStream)
        }
    }

    /// Every parameter in a stable order: item_embedding, position_embedding, ln.gamma, ln.beta,
    /// then each layer's (layer0.q.weight, layer0.q.bias, ...).
    public var parameters: [Tensor] {
        [itemEmbedding, positionEmbedding, lnGamma, lnBeta] + layers.flatMap(\.parameters)
    }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Evaluation forward, no dropout: ids [B, L] (left-aligned, L ≤ maxLength) → hidden [B, L, H]
    /// and attention maps.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput {
        var unused = RandomStream(seed: 0)   // rates 0 draw nothing
        return encode(g, ids, hiddenDropout: 0, attentionDropout: 0, rng: &unused)
    }

    /// Training forward with the configured dropouts drawn from `rng`: ids [B, L] → hidden [B, L, H]
    /// and attention maps.
    public func forward(_ g: Graph, _ ids: IndexTensor, dropout rng: inout RandomStream) -> SASRecOutput {
        encode(g, ids, hiddenDropout: configuration.hiddenDropout, attentionDropout: configuration.attentionDropout,
               rng: &rng)
    }

    private func encode(_ g: Graph, _ ids: IndexTensor, hiddenDropout: Float, attentionDropout: Float,
                        rng: inout RandomStream) -> SASRecOutput {
        precondition(ids.shape.count == 2, "SASRec.forward: ids must be [B, L], got \(ids.shape)")
        let l = ids.shape[1]
        precondition(l >= 1 && l <= configuration.maxLength,
                     "SASRec.forward: \(l) columns, but the position table has \(configuration.maxLength) rows")
        return encodeSequence(g, ids, items: itemEmbedding, positions: positionEmbedding, lnGamma: lnGamma, lnBeta: lnBeta,
                              eps: configuration.layerNormEps, layers: layers, causal: true,
                              hiddenDropout: hiddenDropout, attentionDropout: attentionDropout, rng: &rng)
    }

    /// Training forward for a loss that reads only each row's last real position (RecBole's prefix
    /// rows): ids [B, L], lengths [B] → hidden [B, H], the state at position max(length − 1, 0).
    /// The last layer computes those positions alone (its keys and values still come from every
    /// position), which equals `lastHidden` of the full forward up to rounding, at a fraction of the
    /// last layer's cost. Dropout masks are drawn over the rows computed, one draw per mask as the
    /// full forward takes.
    func lastPositionHidden(_ g: Graph, _ ids: IndexTensor, lengths: [Int], rng: inout RandomStream) -> Tensor {
        precondition(ids.shape.count == 2 && lengths.count == ids.shape[0],
                     "SASRec: ids must be [B, L] with B lengths, got \(ids.shape) and \(lengths.count)")
        let l = ids.shape[1]
        precondition(l >= 1 && l <= configuration.maxLength,
                     "SASRec.forward: \(l) columns, but the position table has \(configuration.maxLength) rows")
        precondition(lengths.allSatisfy { $0 <= l }, "SASRec.lastHidden: a length exceeds the \(l) columns")
        guard !layers.isEmpty else { return lastHidden(g, forward(g, ids, dropout: &rng).hidden, lengths: lengths) }
        let out = encodeSequence(g, ids, items: itemEmbedding, positions: positionEmbedding, lnGamma: lnGamma,
                                 lnBeta: lnBeta, eps: configuration.layerNormEps, layers: layers, causal: true,
                                 hiddenDropout: configuration.hiddenDropout,
                                 attentionDropout: configuration.attentionDropout,
                                 lastLayerPositions: lengths.map { max($0 - 1, 0) }, rng: &rng)   // [B, 1, H]
        return g.reshape(out.hidden, [ids.shape[0], configuration.hidden])             // [B, H]
    }

    /// The hidden state at each row's last real position: hidden [B, L, H], lengths [B] → [B, H].
    /// A row of length 0 reads position 0.
    public func lastHidden(_ g: Graph, _ hidden: Tensor, lengths: [Int]) -> Tensor {
        hiddenAtLastPosition(g, hidden, lengths: lengths)
    }

    /// Logits over all N items (padding column 0 included) for hidden rows [R, H] (or [..., H]):
    /// h E_itemᵀ → [R, N]. Callers score a block of rows at a time.
    public func scores(_ g: Graph, hidden: Tensor) -> Tensor {
        precondition(hidden.lastDim == configuration.hidden,
                     "SASRec.scores: hidden rows need \(configuration.hidden) channels, got \(hidden.shape)")
        let rows = g.reshape(hidden, [hidden.rows, configuration.hidden])              // [R, H]
        return g.matmul(rows, itemEmbedding, transposeB: true)                          // [R, N]
    }
}
