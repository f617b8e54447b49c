// NextItNet's residual block (b) (reference/yuan-models.md §2.1, `ops.nextitnet_residual_block`):
//   A = ReLU(LN1(Conv_d(H)));  Z = ReLU(LN2(Conv_2d(A)));  H' = H + Z
// Identity residual with post-norm inside the branch. The convolution is causal for NextItNet and
// "same"-padded for the GRec encoder. Backward comes from the ops' own tape entries.

import Tensors

/// One dilated residual block with its six parameters.
public final class ResidualBlock {
    /// Dilation of the first convolution; the second uses twice this.
    public let dilation: Int
    /// Whether the convolutions see only the past.
    public let causal: Bool
    /// Layer-norm epsilon.
    public let eps: Float
    /// First convolution [k, C, C] and its bias [C].
    public let conv1Weight: Tensor, conv1Bias: Tensor
    /// First layer norm's gain and shift [C].
    public let ln1Gamma: Tensor, ln1Beta: Tensor
    /// Second convolution [k, C, C] and its bias [C].
    public let conv2Weight: Tensor, conv2Bias: Tensor
    /// Second layer norm's gain and shift [C].
    public let ln2Gamma: Tensor, ln2Beta: Tensor

    /// A block named `prefix` (e.g. "block0"), initialised from `stream`.
    init(prefix: String, dilation: Int, configuration: NextItNetConfiguration, stream: RandomStream) {
        let c = configuration.channels
        let scheme = configuration.initialisation
        self.dilation = dilation
        causal = configuration.causal
        eps = configuration.layerNormEps
        (conv1Weight, conv1Bias) = scheme.convolution("\(prefix).conv1", configuration, stream: stream)
        ln1Gamma = Initialisation.constant("\(prefix).ln1.gamma", shape: [c], value: 1)
        ln1Beta = Initialisation.constant("\(prefix).ln1.beta", shape: [c], value: 0)
        (conv2Weight, conv2Bias) = scheme.convolution("\(prefix).conv2", configuration, stream: stream)
        ln2Gamma = Initialisation.constant("\(prefix).ln2.gamma", shape: [c], value: 1)
        ln2Beta = Initialisation.constant("\(prefix).ln2.beta", shape: [c], value: 0)
    }

    /// The parameters in checkpoint order: conv1 (weight, bias), ln1 (gamma, beta), conv2, ln2.
    public var parameters: [Tensor] {
        [conv1Weight, conv1Bias, ln1Gamma, ln1Beta, conv2Weight, conv2Bias, ln2Gamma, ln2Beta]
    }

    /// h [B, L, C] → h + branch(h) [B, L, C].
    public func callAsFunction(_ g: Graph, _ h: Tensor) -> Tensor {
        // [B, L, C] → [B, L, C]: dilation d, then normalise over C
        let a = g.relu(g.layerNorm(g.conv1d(h, conv1Weight, bias: conv1Bias, dilation: dilation, causal: causal),
                                   gamma: ln1Gamma, beta: ln1Beta, eps: eps))
        // [B, L, C] → [B, L, C]: dilation 2d doubles the reach of the block
        let z = g.relu(g.layerNorm(g.conv1d(a, conv2Weight, bias: conv2Bias, dilation: 2 * dilation, causal: causal),
                                   gamma: ln2Gamma, beta: ln2Beta, eps: eps))
        return g.add(h, z)
    }
}
