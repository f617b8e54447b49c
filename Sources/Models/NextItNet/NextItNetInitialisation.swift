// The three ways NextItNet's weights are drawn in the codebases people compare against. They differ
// mostly in the scale of the item embedding (0.02, 1 and 1/√N), which sets how fast Adam moves an
// item's vector relative to its size: Docs/nextitnet-sparse.md measures what that does on short,
// sparse histories and on MovieLens.
//
//                  embedding            convolutions (weight, bias)     output (weight, bias)
//   tf        TN(0, 0.02)            TN(0, 0.02), 0                    TN(0, 0.02), 0
//   torch     N(0, 1)                U(±1/√(kC)), U(±1/√(kC))          U(±1/√C), U(±1/√C)
//   recbole   U(±1/√N)               U(±1/√(kC)), U(±1/√(kC))          U(±1/√N), 0
//
// TN is TF's truncated normal (redrawn beyond two standard deviations), N counts the item ids with
// padding, k is the kernel and C the channels. "torch" is what `nn.Embedding`, `nn.Conv1d` and
// `nn.Linear` do when left alone (../shared/bench/torch_nextitnet.py). RecBole's NextItNet
// (1.2.1, `_init_weights`) draws the embedding as here and leaves the convolutions to PyTorch; it
// scores items against the embedding itself through an extra C × C layer, so its output has no
// weight of its own: ours is drawn like RecBole's item embedding, with no bias, which is what
// RecBole's scores see. Layer norms start at gain 1 and shift 0 in all three.

import Tensors

/// How a NextItNet-style network's weights are initialised: one scheme per part (embedding,
/// convolutions, output), normally the same for all three; mixing them is how
/// Docs/nextitnet-sparse.md finds which part's initialisation matters.
public struct NextItNetInitialisation: Sendable, Equatable {
    /// One codebase's way of drawing a part's weights.
    public enum Scheme: String, Sendable, Equatable, CaseIterable {
        /// TF's truncated normal with standard deviation `initStd` (0.02), biases 0: the original
        /// NextItNet, GRec, PeterRec and Conure code.
        case tf
        /// PyTorch's module defaults: embedding N(0, 1), Kaiming-uniform convolutions and output layer.
        case torch
        /// RecBole 1.2.1's NextItNet: embedding U(±1/√N), PyTorch's convolutions, output like the embedding.
        case recbole
    }

    /// The item embedding's scheme.
    public var embedding: Scheme
    /// The residual blocks' convolutions' scheme (weights and biases).
    public var convolutions: Scheme
    /// The output projection's scheme (weight and bias).
    public var output: Scheme

    /// Each part by its own scheme.
    public init(embedding: Scheme, convolutions: Scheme, output: Scheme) {
        self.embedding = embedding
        self.convolutions = convolutions
        self.output = output
    }

    /// Every part by `scheme`.
    public init(_ scheme: Scheme) { self.init(embedding: scheme, convolutions: scheme, output: scheme) }

    /// The TF original's initialisation everywhere.
    public static let tf = NextItNetInitialisation(.tf)
    /// PyTorch's defaults everywhere.
    public static let torch = NextItNetInitialisation(.torch)
    /// RecBole's NextItNet everywhere.
    public static let recbole = NextItNetInitialisation(.recbole)

    /// TF's scheme with PyTorch's N(0, 1) item embedding: what `nextitnet(...)` starts from on sparse
    /// data (Docs/nextitnet-sparse.md), where it beat both TF's scheme and the PyTorch NextItNet.
    public static let sparseData = NextItNetInitialisation(embedding: .torch, convolutions: .tf, output: .tf)

    /// Below this many events per item, `automatic` takes `sparseData`; from it on, `tf`. It lies
    /// between the sparse stand-in (8.4) and MovieLens-100K (59.5) and the toy world (29.5), the
    /// data the choice was measured on: a rule of thumb with two data points on either side, not a
    /// fitted boundary.
    public static let sparseDataEventsPerItem = 20.0

    /// The scheme for data with `eventsPerItem` events per item on average: TF's where items recur
    /// often, the N(0, 1) embedding where most items are seen a handful of times. On the sparse
    /// stand-in TF's 0.02 embedding lets Adam rewrite a rare item's row within a few updates and the
    /// model overfits by epoch 5; at scale 1 the same steps move it by a few percent.
    public static func automatic(eventsPerItem: Double) -> NextItNetInitialisation {
        eventsPerItem < sparseDataEventsPerItem ? sparseData : tf
    }

    /// The one scheme every part uses, or nil when the parts differ.
    public var uniformScheme: Scheme? {
        embedding == convolutions && convolutions == output ? embedding : nil
    }

    /// The scheme's name ("tf"), or each part's when they differ.
    public var name: String {
        if let scheme = uniformScheme { return scheme.rawValue }
        return "embedding \(embedding.rawValue), convolutions \(convolutions.rawValue), output \(output.rawValue)"
    }

    /// Embedding rows [rows, C] for `configuration`.
    func embedding(_ configuration: NextItNetConfiguration, stream: RandomStream) -> Tensor {
        let shape = [configuration.embeddingRows, configuration.channels]
        switch embedding {
        case .tf: return Initialisation.truncatedNormal("embedding", shape: shape, std: configuration.initStd, stream: stream)
        case .torch: return Initialisation.normal("embedding", shape: shape, std: 1, stream: stream)
        case .recbole: return Initialisation.uniform("embedding", shape: shape, bound: Self.itemBound(configuration), stream: stream)
        }
    }

    /// A convolution's weight [k, C, C] and bias [C], named `<name>.weight` and `<name>.bias`.
    func convolution(_ name: String, _ configuration: NextItNetConfiguration, stream: RandomStream) -> (weight: Tensor, bias: Tensor) {
        let (c, k) = (configuration.channels, configuration.kernel)
        switch convolutions {
        case .tf:
            return (Initialisation.truncatedNormal("\(name).weight", shape: [k, c, c], std: configuration.initStd, stream: stream),
                    Initialisation.constant("\(name).bias", shape: [c], value: 0))
        case .torch, .recbole:
            // Kaiming-uniform with a = √5 gives a bound of 1/√fan_in; the bias uses the same bound.
            let bound = 1 / Float(k * c).squareRoot()
            return (Initialisation.uniform("\(name).weight", shape: [k, c, c], bound: bound, stream: stream),
                    Initialisation.uniform("\(name).bias", shape: [c], bound: bound, stream: stream))
        }
    }

    /// The output projection's weight [C, N] and bias [N].
    func output(_ configuration: NextItNetConfiguration, stream: RandomStream) -> (weight: Tensor, bias: Tensor) {
        let (c, n) = (configuration.channels, configuration.items)
        switch output {
        case .tf:
            return (Initialisation.truncatedNormal("output.weight", shape: [c, n], std: configuration.initStd, stream: stream),
                    Initialisation.constant("output.bias", shape: [n], value: 0))
        case .torch:
            let bound = 1 / Float(c).squareRoot()
            return (Initialisation.uniform("output.weight", shape: [c, n], bound: bound, stream: stream),
                    Initialisation.uniform("output.bias", shape: [n], bound: bound, stream: stream))
        case .recbole:
            return (Initialisation.uniform("output.weight", shape: [c, n], bound: Self.itemBound(configuration), stream: stream),
                    Initialisation.constant("output.bias", shape: [n], value: 0))
        }
    }

    /// RecBole's item bound √(1/N), N the item ids with padding.
    private static func itemBound(_ configuration: NextItNetConfiguration) -> Float {
        (1 / Float(configuration.items)).squareRoot()
    }
}
