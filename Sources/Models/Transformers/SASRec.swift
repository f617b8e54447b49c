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
public final class SASRec: ItemTransformer, TiedItemNetwork {
    /// The sizes this network was built with.
    public let configuration: SASRecConfiguration
    /// Item table [N, H], named `item_embedding`; also the output projection (tied).
    public let itemEmbedding: Tensor
    /// Position table [maxLength, H], embedding layer norm and layers.
    public let encoder: SequenceEncoder

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: SASRecConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`; each parameter draws from its own derived stream.
    public init(_ configuration: SASRecConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        itemEmbedding = Initialisation.normal("item_embedding", shape: [configuration.items, configuration.hidden],
                                              std: configuration.initializerRange, stream: initStream)
        encoder = SequenceEncoder(size: configuration.size, positionRows: configuration.maxLength, stream: initStream)
    }

    public static var causal: Bool { true }
    public static var modelName: String { "SASRec" }
    public var size: TransformerSize { configuration.size }
    public var items: Int { configuration.items }
    public var maxLength: Int { configuration.maxLength }

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
    public func scores(_ g: Graph, hidden: Tensor) -> Tensor { tableScores(g, hidden) }

    /// No dropout: ids [B, L], lengths [B] → scores [B, N] from each row's last real position.
    public func lastPositionScores(_ g: Graph, _ ids: IndexTensor, lengths: [Int]) -> Tensor {
        scores(g, hidden: lastHidden(g, forward(g, ids).hidden, lengths: lengths))         // [B, N]
    }
}
