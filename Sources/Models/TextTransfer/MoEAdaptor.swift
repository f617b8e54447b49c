// UniSRec's item encoder: parametric whitening experts mixed by a noisy gate (`PWLayer`,
// `MoEAdaptorLayer`; reference/text-models.md §4.2):
//   PW_k(x)  = (Dropout_p(x) − b_k) · W_k                       x [R, d], b_k [d], W_k [d, H] → [R, H]
//   gates    = softmax(x·W_gate + ε ⊙ (softplus(x·W_noise) + 0.01))   [R, E]  (ε only in training)
//   MoE(x)   = Σ_k gates_k · PW_k(x)                                   [R, H]
// Each expert draws its own dropout mask, and the gate reads the undropped x. W_gate and W_noise
// start at zero, so the gates start uniform and the noise std at softplus(0) + 0.01 ≈ 0.703; b_k
// starts at 0 and W_k at N(0, 0.02), as the reference's `_init_weights`. The mixture is dense: the
// reference's "top-k" gating takes no top-k.
// Weights are stored [in, out] (PyTorch's Linear stores [out, in]); the initial distribution is the
// same either way.

import Tensors

/// A mixture-of-experts adaptor from item text features [R, d] to item vectors [R, H].
public final class MoEAdaptor {
    /// Added to softplus(x·W_noise) so the gate noise never vanishes (the reference's noise_epsilon).
    public static let noiseFloor: Float = 0.01
    /// Whitening shifts b_k [d], named `adaptor.expert<k>.bias`.
    public let expertBiases: [Tensor]
    /// Projections W_k [d, H], named `adaptor.expert<k>.weight`.
    public let expertWeights: [Tensor]
    /// The gate W_gate [d, E], named `adaptor.gate`.
    public let gateWeight: Tensor
    /// The gate-noise scale W_noise [d, E], named `adaptor.noise`.
    public let noiseWeight: Tensor

    /// Number of experts E.
    public var experts: Int { expertWeights.count }
    /// Input width d.
    public var inputWidth: Int { gateWeight.shape[0] }
    /// Output width H.
    public var outputWidth: Int { expertWeights[0].shape[1] }

    /// An adaptor d → H with `experts` experts; W_k from streams derived from `stream` by name.
    public init(input d: Int, output h: Int, experts: Int, std: Float, stream: RandomStream) {
        precondition(d >= 1 && h >= 1 && experts >= 1, "MoEAdaptor needs positive sizes, got d \(d), H \(h), E \(experts)")
        expertBiases = (0..<experts).map { Initialisation.constant("adaptor.expert\($0).bias", shape: [d], value: 0) }
        expertWeights = (0..<experts).map { Initialisation.normal("adaptor.expert\($0).weight", shape: [d, h], std: std, stream: stream) }
        gateWeight = Initialisation.constant("adaptor.gate", shape: [d, experts], value: 0)
        noiseWeight = Initialisation.constant("adaptor.noise", shape: [d, experts], value: 0)
    }

    /// The parameters in checkpoint order: each expert's bias and weight, then the gate and the noise scale.
    public var parameters: [Tensor] {
        zip(expertBiases, expertWeights).flatMap { [$0, $1] } + [gateWeight, noiseWeight]
    }

    /// x [R, d] → MoE(x) [R, H]. `noise` is ε [R, E] (nil in evaluation: clean gates); each expert's
    /// dropout mask at `dropout` is drawn from `rng` in expert order.
    public func callAsFunction(_ g: Graph, _ x: Tensor, dropout: Float, noise: Tensor?, rng: inout RandomStream) -> Tensor {
        precondition(x.shape.count == 2 && x.shape[1] == inputWidth, "MoEAdaptor: input must be [R, \(inputWidth)], got \(x.shape)")
        var logits = g.matmul(x, gateWeight)                                            // [R, E]
        if let noise {
            precondition(noise.shape == [x.shape[0], experts], "MoEAdaptor: noise must be [\(x.shape[0]), \(experts)], got \(noise.shape)")
            let std = g.addScalar(g.softplus(g.matmul(x, noiseWeight)), Self.noiseFloor)   // [R, E]
            logits = g.add(logits, g.mul(std, noise))
        }
        let gates = g.softmax(logits)                                                   // [R, E]
        let projected = zip(expertBiases, expertWeights).map { bias, weight in
            g.matmul(g.sub(g.dropout(x, rate: dropout, rng: &rng), bias), weight)       // [R, H]
        }
        return g.weightedSum(projected, weights: gates)                                 // [R, H]
    }
}
