// RecBole's TransformerLayer (`recbole/model/layers.py`; reference/text-models.md §1), post-LN as
// in BERT, shared by SASRec (causal) and BERT4Rec (bidirectional):
//   q, k, v = x Wq + bq, x Wk + bk, x Wv + bv                     [B, L, H] each, W [in, out]
//                                                                  (one product: x [Wq | Wk | Wv])
//   c = attention(q, k, v) with the −10000 additive mask            [B, L, H] (+ P [B, heads, L, L])
//   a = LN1(Dropout(c Wo + bo) + x)                                 [B, L, H]
//   y = LN2(Dropout(GELU_erf(a W1 + b1) W2 + b2) + a)               [B, L, H], W1 [H, inner]
// Dropout is on the attention probabilities and on each sublayer's output before its residual;
// none between W1 and W2 (as RecBole). Weights are stored [in, out] (PyTorch's Linear stores
// [out, in]); the initial distribution, N(0, initializer_range), is the same either way.
// Backward comes from the ops' own tape entries.

import Tensors

/// One post-LN transformer layer with its sixteen parameters.
public final class TransformerLayer {
    /// Number of attention heads.
    public let heads: Int
    /// Layer-norm epsilon.
    public let eps: Float
    /// Query, key, value and output projections [H, H] and their biases [H].
    public let qWeight: Tensor, qBias: Tensor, kWeight: Tensor, kBias: Tensor
    /// Value and output projections [H, H] and their biases [H].
    public let vWeight: Tensor, vBias: Tensor, oWeight: Tensor, oBias: Tensor
    /// The attention sublayer's layer norm [H].
    public let ln1Gamma: Tensor, ln1Beta: Tensor
    /// Feed-forward projections: W1 [H, inner], b1 [inner], W2 [inner, H], b2 [H].
    public let ff1Weight: Tensor, ff1Bias: Tensor, ff2Weight: Tensor, ff2Bias: Tensor
    /// The feed-forward sublayer's layer norm [H].
    public let ln2Gamma: Tensor, ln2Beta: Tensor

    /// A layer named `prefix` (e.g. "layer0"): weights N(0, std) from streams derived per parameter
    /// name, biases 0, layer-norm gains 1 and shifts 0 (RecBole's `_init_weights`).
    public init(prefix: String, hidden: Int, heads: Int, inner: Int, eps: Float, std: Float, stream: RandomStream) {
        precondition(hidden % heads == 0, "TransformerLayer: \(heads) heads do not divide hidden size \(hidden)")
        self.heads = heads
        self.eps = eps
        func weight(_ name: String, _ shape: [Int]) -> Tensor {
            Initialisation.normal("\(prefix).\(name)", shape: shape, std: std, stream: stream)
        }
        func constant(_ name: String, _ size: Int, _ value: Float) -> Tensor {
            Initialisation.constant("\(prefix).\(name)", shape: [size], value: value)
        }
        qWeight = weight("q.weight", [hidden, hidden]); qBias = constant("q.bias", hidden, 0)
        kWeight = weight("k.weight", [hidden, hidden]); kBias = constant("k.bias", hidden, 0)
        vWeight = weight("v.weight", [hidden, hidden]); vBias = constant("v.bias", hidden, 0)
        oWeight = weight("o.weight", [hidden, hidden]); oBias = constant("o.bias", hidden, 0)
        ln1Gamma = constant("ln1.gamma", hidden, 1); ln1Beta = constant("ln1.beta", hidden, 0)
        ff1Weight = weight("ff1.weight", [hidden, inner]); ff1Bias = constant("ff1.bias", inner, 0)
        ff2Weight = weight("ff2.weight", [inner, hidden]); ff2Bias = constant("ff2.bias", hidden, 0)
        ln2Gamma = constant("ln2.gamma", hidden, 1); ln2Beta = constant("ln2.beta", hidden, 0)
    }

    /// The parameters in checkpoint order: q, k, v, o (weight, bias), ln1, ff1, ff2, ln2.
    public var parameters: [Tensor] {
        [qWeight, qBias, kWeight, kBias, vWeight, vBias, oWeight, oBias, ln1Gamma, ln1Beta,
         ff1Weight, ff1Bias, ff2Weight, ff2Bias, ln2Gamma, ln2Beta]
    }

    /// x [B, L, H] → the layer's output [B, L, H] and its attention probabilities [B, heads, L, L].
    /// - Parameters:
    ///   - ids: [B, L] input ids; keys whose id is 0 are padding and masked.
    ///   - causal: mask keys after the query (SASRec); false for BERT4Rec.
    ///   - hiddenDropout, attentionDropout: rates, drawn from `rng` (pass 0 for evaluation).
    public func callAsFunction(
        _ g: Graph, _ x: Tensor, ids: IndexTensor, causal: Bool,
        hiddenDropout: Float, attentionDropout: Float, rng: inout RandomStream
    ) -> (output: Tensor, probabilities: Tensor) {
        // q, k, v side by side from one product: [B, L, 3H]
        let qkv = g.linear(x, concatenating: [qWeight, kWeight, vWeight], biases: [qBias, kBias, vBias])
        let attended = g.attention(qkv: qkv, heads: heads, validKeys: ids, causal: causal,
                                   dropout: attentionDropout, rng: &rng)               // [B, L, H], P [B, heads, L, L]
        return (sublayers(g, attended.output, residual: x, hiddenDropout: hiddenDropout, rng: &rng), attended.probabilities)
    }

    /// The layer at one position per sequence, for a loss that reads nothing else (SASRec's prefix
    /// rows read each row's last real position): keys and values come from every position of x
    /// [B, L, H]; the query, the residuals and the feed-forward only from row b's position
    /// `positions[b]`. Equal to the full layer's output at those positions (up to rounding; dropout
    /// draws its masks over the rows computed). → [B, 1, H] and probabilities [B, heads, 1, L].
    public func callAsFunction(
        _ g: Graph, _ x: Tensor, ids: IndexTensor, causal: Bool, atPositions positions: [Int],
        hiddenDropout: Float, attentionDropout: Float, rng: inout RandomStream
    ) -> (output: Tensor, probabilities: Tensor) {
        precondition(x.shape.count == 3 && positions.count == x.shape[0],
                     "TransformerLayer: need [B, L, H] and B positions, got \(x.shape) and \(positions.count)")
        let (b, l, h) = (x.shape[0], x.shape[1], x.shape[2])
        precondition(positions.allSatisfy { $0 >= 0 && $0 < l }, "TransformerLayer: a position is outside 0..<\(l)")
        let rows = g.gather(g.reshape(x, [b * l, h]), axis: 0, indices: (0..<b).map { $0 * l + positions[$0] })
        let xq = g.reshape(rows, [b, 1, h])                                            // [B, 1, H]
        let q = g.linear(xq, qWeight, qBias)                                           // [B, 1, H]
        let kv = g.linear(x, concatenating: [kWeight, vWeight], biases: [kBias, vBias])  // [B, L, 2H]
        let attended = g.attention(q: q, kv: kv, heads: heads, validKeys: ids, causal: causal,
                                   queryPositions: positions, dropout: attentionDropout, rng: &rng)   // [B, 1, H], P [B, heads, 1, L]
        return (sublayers(g, attended.output, residual: xq, hiddenDropout: hiddenDropout, rng: &rng), attended.probabilities)
    }

    /// What follows attention: attended [B, Lq, H] and the layer input at the same rows → [B, Lq, H].
    private func sublayers(_ g: Graph, _ attended: Tensor, residual x: Tensor, hiddenDropout: Float,
                           rng: inout RandomStream) -> Tensor {
        let projected = g.linear(attended, oWeight, oBias)                             // [B, Lq, H]
        let a = g.layerNorm(g.dropoutAdd(projected, rate: hiddenDropout, residual: x, rng: &rng),
                            gamma: ln1Gamma, beta: ln1Beta, eps: eps)                  // [B, Lq, H]
        let expanded = g.gelu(g.linear(a, ff1Weight, ff1Bias))                         // [B, Lq, inner]
        let f = g.linear(expanded, ff2Weight, ff2Bias)                                 // [B, Lq, H]
        return g.layerNorm(g.dropoutAdd(f, rate: hiddenDropout, residual: a, rng: &rng),
                           gamma: ln2Gamma, beta: ln2Beta, eps: eps)                   // [B, Lq, H]
    }
}

/// The encoder SASRec (causal) and BERT4Rec (bidirectional) share, as RecBole writes it: item +
/// position embeddings, layer norm, dropout, then the layers. ids [B, L] → hidden [B, L, H] and
/// each layer's attention probabilities [B, heads, L, L]. With `lastLayerPositions` (one per row),
/// the last layer computes only those positions: hidden [B, 1, H], its probabilities [B, heads, 1, L].
func encodeSequence(_ g: Graph, _ ids: IndexTensor, items table: Tensor, positions positionTable: Tensor,
                    lnGamma: Tensor, lnBeta: Tensor, eps: Float, layers: [TransformerLayer], causal: Bool,
                    hiddenDropout: Float, attentionDropout: Float, lastLayerPositions: [Int]? = nil,
                    rng: inout RandomStream) -> SASRecOutput {
    let items = g.embedding(table, ids, paddingIndex: 0)                            // [B, L, H]
    return encodeItemVectors(g, items, ids: ids, positions: positionTable, lnGamma: lnGamma, lnBeta: lnBeta, eps: eps,
                             layers: layers, causal: causal, hiddenDropout: hiddenDropout,
                             attentionDropout: attentionDropout, lastLayerPositions: lastLayerPositions, rng: &rng)
}

/// The same encoder from item vectors that are already looked up (UniSRec computes them from item
/// text): items [B, L, H] at the positions of ids [B, L] (0 = padding, masked as a key) → hidden
/// [B, L, H] and each layer's attention probabilities [B, heads, L, L] (`lastLayerPositions` as in
/// `encodeSequence`).
func encodeItemVectors(_ g: Graph, _ items: Tensor, ids: IndexTensor, positions positionTable: Tensor,
                       lnGamma: Tensor, lnBeta: Tensor, eps: Float, layers: [TransformerLayer], causal: Bool,
                       hiddenDropout: Float, attentionDropout: Float, lastLayerPositions: [Int]? = nil,
                       rng: inout RandomStream) -> SASRecOutput {
    precondition(items.shape.count == 3 && Array(items.shape.prefix(2)) == ids.shape,
                 "encodeItemVectors: item vectors \(items.shape) do not sit on ids \(ids.shape)")
    let l = ids.shape[1]
    let positions = IndexTensor(shape: [l], values: (0..<l).map { Int32($0) })
    let placed = g.add(items, g.embedding(positionTable, positions, paddingIndex: nil))   // [B, L, H] + [L, H]
    var x = g.dropout(g.layerNorm(placed, gamma: lnGamma, beta: lnBeta, eps: eps), rate: hiddenDropout, rng: &rng)   // [B, L, H]
    var maps: [Tensor] = [], states: [Tensor] = []
    maps.reserveCapacity(layers.count)
    states.reserveCapacity(layers.count)
    for (index, layer) in layers.enumerated() {
        let out = if let lastLayerPositions, index == layers.count - 1 {
            layer(g, x, ids: ids, causal: causal, atPositions: lastLayerPositions, hiddenDropout: hiddenDropout,
                  attentionDropout: attentionDropout, rng: &rng)                        // [B, 1, H], [B, heads, 1, L]
        } else {
            layer(g, x, ids: ids, causal: causal, hiddenDropout: hiddenDropout,
                  attentionDropout: attentionDropout, rng: &rng)                        // [B, L, H], [B, heads, L, L]
        }
        x = out.output
        maps.append(out.probabilities)
        states.append(x)
    }
    return SASRecOutput(hidden: x, attention: maps, layers: states)
}

/// The hidden state at each row's last real position (RecBole's `gather_indexes`): hidden
/// [B, L, H], lengths [B] → [B, H]. A row of length 0 reads position 0.
func hiddenAtLastPosition(_ g: Graph, _ hidden: Tensor, lengths: [Int]) -> Tensor {
    precondition(hidden.shape.count == 3 && lengths.count == hidden.shape[0],
                 "lastHidden: hidden must be [B, L, H] with B lengths, got \(hidden.shape) and \(lengths.count)")
    let (b, l, h) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
    precondition(lengths.allSatisfy { $0 <= l }, "lastHidden: a length exceeds the \(l) columns")
    let rows = g.reshape(hidden, [b * l, h])                                           // [B·L, H]
    return g.gather(rows, axis: 0, indices: (0..<b).map { $0 * l + max(lengths[$0] - 1, 0) })   // [B, H]
}
