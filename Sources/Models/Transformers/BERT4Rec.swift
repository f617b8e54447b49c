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
//     item; the head and the layout are the opt-in 1.2.1 variant below, the defaults and the
//     ft_ratio batches are not built);
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
//
// RecBole 1.2.1's class (`recbole: .v1_2_1`, opt-in; Docs/fidelity.md B1, B2; checked against
// RecBole's own class in Tests/TrainingTests/RecBoleBERT4RecGoldenTests.swift) differs in two ways:
//   - an output head between the encoder and the tied table, and a bias on the logits:
//       o = LN_out(GELU_erf(h W_out + b_out))            [.., H]     (output_ffn, output_gelu, output_ln)
//       logits = o E_item[0 ..< N]ᵀ + output_bias        [.., N]
//     It acts on each position alone, so the loss applies it to the gathered masked slots only,
//     which equals RecBole's head over all positions followed by its one-hot `bmm` gather;
//   - a position table of maxLength rows, and the prediction row `reconstruct_test_data` makes: the
//     mask at column len of a max_len + 1 row, then column 0 dropped, so history items 1 ..< len sit
//     at columns 0 ..< len − 1 and the mask at column len − 1, where the hidden state is read.
// Its masking and loss weighting are 1.0.1's (`MaskItemSequence` with ft_ratio 0; B3). The head's
// parameters come after the encoder's, each from its own named stream, so a 1.0.1 network's values
// do not change.

import Tensors

/// RecBole 1.2.1's output head of BERT4Rec: a dense layer, exact GELU and a layer norm on each
/// hidden row, and a bias on the logits.
public final class BERT4RecOutputHead {
    /// `output_ffn.weight` [H, H], stored [in, out] (RecBole keeps [out, in]), named `output.dense.weight`.
    public let denseWeight: Tensor
    /// `output_ffn.bias` [H], named `output.dense.bias`.
    public let denseBias: Tensor
    /// `output_ln.weight` [H], named `output.ln.gamma`.
    public let lnGamma: Tensor
    /// `output_ln.bias` [H], named `output.ln.beta`.
    public let lnBeta: Tensor
    /// `output_bias` [N], named `output.bias`: one logit offset per item id, padding included.
    public let bias: Tensor
    /// Layer-norm epsilon (layer_norm_eps).
    public let eps: Float

    /// A head over `hidden` channels and `items` ids, initialised as RecBole's `_init_weights`: the
    /// dense weight N(0, std) from `stream.derive("output.dense.weight")`, its bias 0, the layer norm
    /// γ 1 β 0, and `output_bias` zeros (`torch.zeros`, which `_init_weights` leaves alone).
    public init(hidden: Int, items: Int, eps: Float, std: Float, stream: RandomStream) {
        denseWeight = Initialisation.normal("output.dense.weight", shape: [hidden, hidden], std: std, stream: stream)
        denseBias = Initialisation.constant("output.dense.bias", shape: [hidden], value: 0)
        lnGamma = Initialisation.constant("output.ln.gamma", shape: [hidden], value: 1)
        lnBeta = Initialisation.constant("output.ln.beta", shape: [hidden], value: 0)
        bias = Initialisation.constant("output.bias", shape: [items], value: 0)
        self.eps = eps
    }

    /// The parameters in checkpoint order: dense (weight, bias), layer norm (γ, β), output bias.
    public var parameters: [Tensor] { [denseWeight, denseBias, lnGamma, lnBeta, bias] }

    /// Hidden rows [R, H] → LN(GELU(h W + b)) [R, H] (RecBole's `output_ffn`, `output_gelu`, `output_ln`).
    public func callAsFunction(_ g: Graph, _ hidden: Tensor) -> Tensor {
        g.layerNorm(g.gelu(g.linear(hidden, denseWeight, denseBias)), gamma: lnGamma, beta: lnBeta, eps: eps)   // [R, H]
    }
}

/// A BERT4Rec network: item (+ mask) and position embeddings, bidirectional post-LN transformer
/// layers, output tied to the item table (through RecBole 1.2.1's output head when configured).
public final class BERT4Rec: ItemTransformer {
    /// The sizes this network was built with.
    public let configuration: BERT4RecConfiguration
    /// Item table [N + 1, H], named `item_embedding`; row N is the mask token. Rows 0 ..< N are also
    /// the output projection (tied).
    public let itemEmbedding: Tensor
    /// Position table [positionRows, H] (1.0.1: maxLength + 1, one row for the appended mask slot;
    /// 1.2.1: maxLength), embedding layer norm and layers.
    public let encoder: SequenceEncoder
    /// RecBole 1.2.1's output head and bias; nil for 1.0.1.
    public let outputHead: BERT4RecOutputHead?
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
        encoder = SequenceEncoder(size: configuration.size, positionRows: configuration.positionRows, stream: initStream)
        outputHead = configuration.recbole.hasOutputHead
            ? BERT4RecOutputHead(hidden: configuration.hidden, items: configuration.items, eps: configuration.layerNormEps,
                                 std: configuration.initializerRange, stream: initStream)
            : nil
        masking = BERT4RecMasking(configuration)
    }

    /// Every parameter in a stable order: `ItemTransformer`'s (item_embedding, position_embedding,
    /// ln.gamma, ln.beta, layer0.q.weight, ...), then the output head's (1.2.1 only); the protocol's
    /// `parameterCount` and `parameter(named:)` read this list.
    public var parameters: [Tensor] {
        [itemEmbedding, positionEmbedding, lnGamma, lnBeta] + layers.flatMap(\.parameters) + (outputHead?.parameters ?? [])
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
    /// the predicted slots of an already masked batch; dropout from `rng`. No slot: loss 0. With the
    /// output head (1.2.1), the masked slots' rows go through it and the logits get `output.bias`.
    public func maskedLoss(_ g: Graph, masked: MaskedSequences, rng: inout RandomStream) -> Tensor {
        guard !masked.positions.isEmpty else { return g.zeros([]) }   // RecBole: 0 / 0; here: nothing to learn
        let h = forward(g, masked.inputs, dropout: &rng).hidden                          // [B, L, H]
        let rows = g.reshape(h, [h.rows, h.lastDim])                                     // [B·L, H]
        let picked = g.gather(rows, axis: 0, indices: masked.positions)                  // [M, H]
        return g.fusedSoftmaxCrossEntropy(hidden: outputHead.map { $0(g, picked) } ?? picked, weight: outputTable(g),
                                          bias: outputHead?.bias, targets: masked.targets, transposedWeight: true)   // []
    }

    /// Prediction inputs (RecBole's `reconstruct_test_data`) from histories [B, ≥ length] whose
    /// `lengths[b]` items (≤ maxLength) are left-aligned: 1.0.1 keeps them all at columns
    /// 0 ..< length and puts the mask token at column length; 1.2.1 drops the oldest, so items
    /// 1 ..< length sit at columns 0 ..< length − 1 and the mask at length − 1 (column 0 for an empty
    /// history). Padding after; `width` columns wide (≥ every row's mask slot + 1, at most the
    /// position table's rows).
    public func predictionInputs(_ history: IndexTensor, lengths: [Int], width: Int) -> IndexTensor {
        precondition(history.shape.count == 2 && lengths.count == history.shape[0],
                     "BERT4Rec.predictionInputs: history must be [B, L] with B lengths, got \(history.shape) and \(lengths.count)")
        let c = configuration
        precondition(width <= c.positionRows && lengths.allSatisfy {
                         $0 >= 0 && $0 <= c.maxLength && c.maskSlot(length: $0) < width && $0 <= history.shape[1]
                     },
                     "BERT4Rec.predictionInputs: lengths \(lengths) do not fit width \(width) (position table \(c.positionRows))")
        let (b, l) = (history.shape[0], history.shape[1])
        var values = [Int32](repeating: 0, count: b * width)
        for r in 0..<b {
            let skip = c.recbole.dropsOldestItemAtPrediction ? min(lengths[r], 1) : 0
            for i in skip..<lengths[r] { values[r * width + i - skip] = history.values[r * l + i] }
            values[r * width + c.maskSlot(length: lengths[r])] = maskToken
        }
        return IndexTensor(shape: [b, width], values: values)
    }

    /// The hidden state at each row's mask slot (`configuration.maskSlot(length:)`, as
    /// `predictionInputs` laid the rows out): hidden [B, W, H], lengths [B] → [B, H].
    public func maskHidden(_ g: Graph, _ hidden: Tensor, lengths: [Int]) -> Tensor {
        precondition(hidden.shape.count == 3 && lengths.count == hidden.shape[0],
                     "BERT4Rec.maskHidden: hidden must be [B, W, H] with B lengths, got \(hidden.shape) and \(lengths.count)")
        let (b, w, h) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        let slots = lengths.map { configuration.maskSlot(length: $0) }
        precondition(slots.allSatisfy { $0 >= 0 && $0 < w }, "BERT4Rec.maskHidden: a mask slot lies beyond the \(w) columns")
        return g.gather(g.reshape(hidden, [b * w, h]), axis: 0, indices: (0..<b).map { $0 * w + slots[$0] })   // [B, H]
    }

    /// Logits over all N items (padding column 0 included, mask token excluded) for encoder hidden
    /// rows [R, H] (or [..., H]): h E_item[0 ..< N]ᵀ → [R, N]; with the output head (1.2.1),
    /// head(h) E_item[0 ..< N]ᵀ + output.bias.
    public func scores(_ g: Graph, hidden: Tensor) -> Tensor {
        precondition(hidden.lastDim == configuration.hidden,
                     "BERT4Rec.scores: hidden rows need \(configuration.hidden) channels, got \(hidden.shape)")
        let rows = g.reshape(hidden, [hidden.rows, configuration.hidden])              // [R, H]
        guard let outputHead else { return g.matmul(rows, outputTable(g), transposeB: true) }   // [R, N]
        return g.add(g.matmul(outputHead(g, rows), outputTable(g), transposeB: true), outputHead.bias)   // [R, N] + [N]
    }
}
