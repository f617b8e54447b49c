// BERT4Rec as RecBole 1.0.1 implements it (`sequential_recommender/bert4rec.py` at tag v1.0.1;
// reference/text-models.md §2, §10):
//   x = Dropout(LN(E_item[s] + E_pos[0 ..< L]))        [B, L, H]   (no √H scaling)
//   x = TransformerLayer_l(x) for each layer           [B, L, H]   (key-padding mask only: bidirectional)
//   training:   loss = mean over masked slots m of CE(h_m E_item[0 ..< N]ᵀ, original item)
//   prediction: s' = history, mask token at column len; h = x[b, len]; scores h E_item[0 ..< N]ᵀ [B, N]
//
// Which RecBole: 1.0.1, the version UniSRec and VQ-Rec ran their BERT4Rec baselines on (UniSRec
// issue #4), so its numbers are the ones this project compares against. Its details:
//   - item table [N + 1, H]: ids 1 ..< N are items, 0 padding, N the mask token (input only: the
//     logits read rows 0 ..< N, PAD column kept as in RecBole, the trainer/evaluator drop it);
//   - position table [maxLength + 1, H], since a full history plus the appended mask is maxLength + 1;
//   - no output head and no output bias (those are RecBole ≥ 1.2.0, with dropouts 0.2/0.2, the
//     ft_ratio "mask only the last item" batches, and a test layout that drops the first history
//     item; none of that is here);
//   - masking as `BERT4RecMasking` (per position with probability mask_ratio, always the mask token,
//     at most int(ratio · maxLength) predicted per row, a mask at position 0 never predicted).
// Positions are left-aligned, ids 0 ..< L from the left, exactly as SASRec's. Trailing padding
// columns can be cut without changing a real position's math, because keys that are padding are
// masked; the recommender still scores at a fixed width so that no row's scores can depend on
// which rows share its batch, even in the last bit.
// Departure: a batch with no predicted slot has loss 0 and no gradient (RecBole divides 0 by 0).
// Initialisation and parameter names are SASRec's (RecBole's `_init_weights`; the padding row and
// the mask row are drawn like any other row); dropout draws come from the caller's stream, after
// the masking draws.

import Tensors

/// A BERT4Rec network: item (+ mask) and position embeddings, bidirectional post-LN transformer
/// layers, output tied to the item table.
public final class BERT4Rec: ItemTransformer {
    /// The sizes this network was built with.
    public let configuration: BERT4RecConfiguration
    /// Item table [N + 1, H], named `item_embedding`; row N is the mask token. Rows 0 ..< N are also
    /// the output projection (tied).
    public let itemEmbedding: Tensor
    /// Position table [maxLength + 1, H] (one row for the appended mask slot), embedding layer norm
    /// and layers.
    public let encoder: SequenceEncoder
    /// How training rows are corrupted (from the configuration).
    public let masking: BERT4RecMasking

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: BERT4RecConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised from `initStream`; each parameter draws from its own derived stream.
    public init(_ configuration: BERT4RecConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        itemEmbedding = Initialisation.normal("item_embedding", shape: [configuration.items + 1, configuration.hidden],
                                              std: configuration.initializerRange, stream: initStream)
        encoder = SequenceEncoder(size: configuration.size, positionRows: configuration.maxLength + 1, stream: initStream)
        masking = BERT4RecMasking(configuration)
    }

    /// The id that replaces masked items and marks the slot to predict: N.
    public var maskToken: Int32 { configuration.maskToken }

    public static var causal: Bool { false }
    public static var modelName: String { "BERT4Rec" }
    public var size: TransformerSize { configuration.size }

    /// The item rows of the table, [N, H]: the output projection (the mask row is not a candidate).
    func outputTable(_ g: Graph) -> Tensor {
        g.slice(itemEmbedding, axis: 0, start: 0, length: configuration.items)           // [N, H]
    }

    /// Masks left-aligned `sequences` [B, L] (L ≤ maxLength + 1) with draws from `rng`, then returns
    /// the masked loss with dropout drawn from the same stream (masking draws first, as RecBole's
    /// data loader masks before the forward pass).
    public func loss(_ g: Graph, sequences: IndexTensor, rng: inout RandomStream) -> Tensor {
        let masked = masking.apply(sequences, maskToken: maskToken, rng: &rng)
        return maskedLoss(g, masked: masked, rng: &rng)
    }

    /// Mean cross-entropy over all N items (PAD column included, as RecBole) of the original ids at
    /// the predicted slots of an already masked batch; dropout from `rng`. No slot: loss 0.
    public func maskedLoss(_ g: Graph, masked: MaskedSequences, rng: inout RandomStream) -> Tensor {
        guard !masked.positions.isEmpty else { return g.zeros([]) }   // RecBole: 0 / 0; here: nothing to learn
        let h = forward(g, masked.inputs, dropout: &rng).hidden                          // [B, L, H]
        let rows = g.reshape(h, [h.rows, h.lastDim])                                     // [B·L, H]
        let picked = g.gather(rows, axis: 0, indices: masked.positions)                  // [M, H]
        return g.fusedSoftmaxCrossEntropy(hidden: picked, weight: outputTable(g), bias: nil, targets: masked.targets,
                                          transposedWeight: true)                        // []
    }

    /// Prediction inputs (RecBole's `reconstruct_test_data`): each history [B, ≥ length] keeps its
    /// `lengths[b]` items (≤ maxLength) at columns 0 ..< length, the mask token at column length,
    /// padding after, laid out `width` columns wide (≥ longest length + 1, ≤ maxLength + 1).
    public func predictionInputs(_ history: IndexTensor, lengths: [Int], width: Int) -> IndexTensor {
        precondition(history.shape.count == 2 && lengths.count == history.shape[0],
                     "BERT4Rec.predictionInputs: history must be [B, L] with B lengths, got \(history.shape) and \(lengths.count)")
        precondition(width <= configuration.maxLength + 1 && lengths.allSatisfy { $0 >= 0 && $0 < width && $0 <= history.shape[1] },
                     "BERT4Rec.predictionInputs: lengths \(lengths) do not fit width \(width) (position table \(configuration.maxLength + 1))")
        let (b, l) = (history.shape[0], history.shape[1])
        var values = [Int32](repeating: 0, count: b * width)
        for r in 0..<b {
            for c in 0..<lengths[r] { values[r * width + c] = history.values[r * l + c] }
            values[r * width + lengths[r]] = maskToken
        }
        return IndexTensor(shape: [b, width], values: values)
    }

    /// The hidden state at each row's mask slot: hidden [B, W, H], lengths [B] → [B, H].
    public func maskHidden(_ g: Graph, _ hidden: Tensor, lengths: [Int]) -> Tensor {
        precondition(hidden.shape.count == 3 && lengths.count == hidden.shape[0],
                     "BERT4Rec.maskHidden: hidden must be [B, W, H] with B lengths, got \(hidden.shape) and \(lengths.count)")
        let (b, w, h) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        precondition(lengths.allSatisfy { $0 < w }, "BERT4Rec.maskHidden: a mask slot lies beyond the \(w) columns")
        return g.gather(g.reshape(hidden, [b * w, h]), axis: 0, indices: (0..<b).map { $0 * w + lengths[$0] })   // [B, H]
    }

    /// Logits over all N items (padding column 0 included, mask token excluded) for hidden rows
    /// [R, H] (or [..., H]): h E_item[0 ..< N]ᵀ → [R, N].
    public func scores(_ g: Graph, hidden: Tensor) -> Tensor {
        precondition(hidden.lastDim == configuration.hidden,
                     "BERT4Rec.scores: hidden rows need \(configuration.hidden) channels, got \(hidden.shape)")
        let rows = g.reshape(hidden, [hidden.rows, configuration.hidden])              // [R, H]
        return g.matmul(rows, outputTable(g), transposeB: true)                         // [R, N]
    }
}
