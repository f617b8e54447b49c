// PeterRec's model patch (reference/yuan-models.md §4.1–4.2, `ops.get_mp`):
//   MP(z) = z + Up(GELU(Down z))      Down: C → h (+bias), Up: h → C (+bias), h = C/4 by default
// with the tanh form of GELU the reference uses. Weights start TruncNormal(0.02), biases 0, so at
// initialisation MP(z) = z + a small term and the pretrained network's function is nearly kept.
// Each residual block gets two patches, inserted serially (after each convolution) or in
// parallel (beside each convolution, fed the convolution's input):
//   serial:   A = ReLU(LN1(MP1(Conv1(H))));   Z = ReLU(LN2(MP2(Conv2(A))));   H' = H + Z
//   parallel: A = ReLU(LN1(Conv1(H) + MP1(H))); Z = ReLU(LN2(Conv2(A) + MP2(A))); H' = H + Z

import Tensors

/// Where a block's patches sit relative to its convolutions.
public enum PatchInsertion: String, Sendable, CaseIterable {
    /// After each convolution: MP(Conv(x)).
    case serial
    /// Beside each convolution: Conv(x) + MP(x).
    case parallel
}

/// One bottleneck patch MP(z) = z + Up(GELU(Down z)) over the channel axis.
public final class ModelPatch {
    /// Down projection [C, h] and its bias [h].
    public let downWeight: Tensor, downBias: Tensor
    /// Up projection [h, C] and its bias [C].
    public let upWeight: Tensor, upBias: Tensor

    /// A patch named `prefix` (e.g. "block0.patch1") from C to `hidden` and back, weights drawn
    /// TruncNormal(std) from `stream`.
    public init(prefix: String, channels: Int, hidden: Int, std: Float = 0.02, stream: RandomStream) {
        downWeight = Initialisation.truncatedNormal("\(prefix).down.weight", shape: [channels, hidden], std: std, stream: stream)
        downBias = Initialisation.constant("\(prefix).down.bias", shape: [hidden], value: 0)
        upWeight = Initialisation.truncatedNormal("\(prefix).up.weight", shape: [hidden, channels], std: std, stream: stream)
        upBias = Initialisation.constant("\(prefix).up.bias", shape: [channels], value: 0)
    }

    /// The parameters in checkpoint order: down (weight, bias), up (weight, bias).
    public var parameters: [Tensor] { [downWeight, downBias, upWeight, upBias] }

    /// z [..., C] → z + Up(GELU(Down z)) [..., C].
    public func callAsFunction(_ g: Graph, _ z: Tensor) -> Tensor {
        let down = g.linear(z, downWeight, downBias)          // [..., h]
        let up = g.linear(g.geluTanh(down), upWeight, upBias)  // [..., C]
        return g.add(z, up)
    }
}

extension Graph {
    /// GELU in the tanh form of the PeterRec code: x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))).
    /// Built from primitive ops, so its gradient is theirs.
    public func geluTanh(_ x: Tensor) -> Tensor {
        let cube = mul(x, mul(x, x))
        let inner = scale(add(x, scale(cube, 0.044715)), (2 / Float.pi).squareRoot())
        return mul(scale(x, 0.5), addScalar(tanh(inner), 1))
    }
}

extension ResidualBlock {
    /// h [B, L, C] → h + branch(h) with the block's two patches inserted as `insertion` says.
    public func callAsFunction(_ g: Graph, _ h: Tensor, patches: (ModelPatch, ModelPatch), insertion: PatchInsertion) -> Tensor {
        func patched(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, dilation d: Int, _ patch: ModelPatch) -> Tensor {
            let conv = g.conv1d(x, weight, bias: bias, dilation: d, causal: causal)   // [B, L, C]
            switch insertion {
            case .serial: return patch(g, conv)
            case .parallel: return g.add(conv, patch(g, x))
            }
        }
        let a = g.relu(g.layerNorm(patched(h, conv1Weight, conv1Bias, dilation: dilation, patches.0),
                                   gamma: ln1Gamma, beta: ln1Beta, eps: eps))                 // [B, L, C]
        let z = g.relu(g.layerNorm(patched(a, conv2Weight, conv2Bias, dilation: 2 * dilation, patches.1),
                                   gamma: ln2Gamma, beta: ln2Beta, eps: eps))                 // [B, L, C]
        return g.add(h, z)
    }
}
