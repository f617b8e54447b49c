// What SASRec and BERT4Rec share: an item table, a position table, the embedding layer norm and
// RecBole's transformer layers, read left-aligned (column c is position c). They differ in the
// attention mask (causal or not), in how many position rows they have (BERT4Rec appends a mask slot)
// and in their objectives, which stay with each model.

import Tensors

/// The part of a RecBole-style transformer that reads a sequence of item vectors: the position
/// table, the embedding layer norm and the layers. SASRec and BERT4Rec put an item table in front of
/// it; UniSRec and VQ-Rec their text adaptor or code table, and transfer it between catalogues.
public struct SequenceEncoder {
    /// Position table [positionRows, H], named `position_embedding`.
    public let positionEmbedding: Tensor
    /// The embedding layer norm [H], named `ln.gamma` and `ln.beta`.
    public let lnGamma: Tensor, lnBeta: Tensor
    /// The transformer layers, named `layer<i>.*`.
    public let layers: [TransformerLayer]

    /// An encoder of `size` with `positionRows` positions, initialised as RecBole's `_init_weights`
    /// does (position table and linear weights N(0, initializerRange), biases 0, layer norms γ 1 β 0),
    /// each parameter from its own stream derived from `stream` by name.
    public init(size: TransformerSize, positionRows: Int, stream: RandomStream) {
        let (h, std) = (size.hidden, size.initializerRange)
        positionEmbedding = Initialisation.normal("position_embedding", shape: [positionRows, h], std: std, stream: stream)
        lnGamma = Initialisation.constant("ln.gamma", shape: [h], value: 1)
        lnBeta = Initialisation.constant("ln.beta", shape: [h], value: 0)
        layers = (0..<size.layers).map { i in
            TransformerLayer(prefix: "layer\(i)", hidden: h, heads: size.heads, inner: size.inner,
                             eps: size.layerNormEps, std: std, stream: stream)
        }
    }
}

/// A network built on a `SequenceEncoder`, whose parts it reads as its own.
public protocol SequenceEncoding: AnyObject {
    /// The position table, embedding layer norm and layers.
    var encoder: SequenceEncoder { get }
}

extension SequenceEncoding {
    /// Position table [positions, H], named `position_embedding`.
    public var positionEmbedding: Tensor { encoder.positionEmbedding }
    /// The embedding layer norm's gain [H], named `ln.gamma`.
    public var lnGamma: Tensor { encoder.lnGamma }
    /// The embedding layer norm's shift [H], named `ln.beta`.
    public var lnBeta: Tensor { encoder.lnBeta }
    /// The transformer layers, named `layer<i>.*`.
    public var layers: [TransformerLayer] { encoder.layers }

    /// The causal encoder over item vectors already placed at their positions (UniSRec's adaptor
    /// output, VQ-Rec's mean code embeddings): placed [B, L, H], with ids [B, L] marking padding
    /// keys → hidden [B, L, H] and attention maps. `size`'s dropouts apply when `training`, drawn
    /// from `rng`.
    public func encodeVectors(_ g: Graph, _ placed: Tensor, ids: IndexTensor, size: TransformerSize, training: Bool,
                              rng: inout RandomStream) -> SASRecOutput {
        encodeItemVectors(g, placed, ids: ids, positions: positionEmbedding, lnGamma: lnGamma, lnBeta: lnBeta,
                          eps: size.layerNormEps, layers: layers, causal: true,
                          hiddenDropout: training ? size.hiddenDropout : 0,
                          attentionDropout: training ? size.attentionDropout : 0, rng: &rng)
    }
}

/// A transformer over item ids with RecBole's embedding layer and layers (SASRec, BERT4Rec).
public protocol ItemTransformer: SequenceEncoding {
    /// The encoder's sizes.
    var size: TransformerSize { get }
    /// Item table [rows, H], named `item_embedding`.
    var itemEmbedding: Tensor { get }
    /// Whether a position attends only to itself and earlier ones.
    static var causal: Bool { get }
    /// The model's name in messages.
    static var modelName: String { get }
    /// Every parameter in a stable order (a requirement, so that a network with parameters of its
    /// own beyond the encoder's, BERT4Rec 1.2.1's output head, is seen whole through the protocol).
    var parameters: [Tensor] { get }
}

extension ItemTransformer {
    /// Every parameter in a stable order: item_embedding, position_embedding, ln.gamma, ln.beta,
    /// then each layer's (layer0.q.weight, layer0.q.bias, ...).
    public var parameters: [Tensor] {
        [itemEmbedding, positionEmbedding, lnGamma, lnBeta] + layers.flatMap(\.parameters)
    }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Evaluation forward, no dropout: ids [B, L] (left-aligned, L ≤ the position rows) → hidden
    /// [B, L, H] and attention maps [B, heads, L, L] per layer.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput {
        var unused = RandomStream(seed: 0)   // rates 0 draw nothing
        return encode(g, ids, hiddenDropout: 0, attentionDropout: 0, rng: &unused)
    }

    /// Training forward with the configured dropouts drawn from `rng`: ids [B, L] → hidden
    /// [B, L, H] and attention maps.
    public func forward(_ g: Graph, _ ids: IndexTensor, dropout rng: inout RandomStream) -> SASRecOutput {
        encode(g, ids, hiddenDropout: size.hiddenDropout, attentionDropout: size.attentionDropout, rng: &rng)
    }

    private func encode(_ g: Graph, _ ids: IndexTensor, hiddenDropout: Float, attentionDropout: Float,
                        rng: inout RandomStream) -> SASRecOutput {
        precondition(ids.shape.count == 2, "\(Self.modelName).forward: ids must be [B, L], got \(ids.shape)")
        let l = ids.shape[1], positions = positionEmbedding.shape[0]
        precondition(l >= 1 && l <= positions, "\(Self.modelName).forward: \(l) columns, but the position table has \(positions) rows")
        return encodeSequence(g, ids, items: itemEmbedding, positions: positionEmbedding, lnGamma: lnGamma, lnBeta: lnBeta,
                              eps: size.layerNormEps, layers: layers, causal: Self.causal,
                              hiddenDropout: hiddenDropout, attentionDropout: attentionDropout, rng: &rng)
    }
}

extension TransformerSize {
    /// "hidden 64, 2 layers × 2 heads, inner 256, max length 50, dropout 0.5 (attention 0.5)", as
    /// architecture lines show the sizes.
    public var summary: String {
        "hidden \(hidden), \(layers) layers × \(heads) heads, inner \(inner), max length \(maxLength), "
            + "dropout \(hiddenDropout) (attention \(attentionDropout))"
    }
}
