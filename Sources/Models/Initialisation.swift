// Weight initialisation shared by the models: TF's truncated normal for the Yuan models (values
// beyond two standard deviations are redrawn) and PyTorch's plain normal for RecBole's transformers,
// each drawn from a stream derived per parameter name so that adding or removing a parameter never
// changes the values of the others.

import Tensors

/// Named, seeded parameter initialisers.
enum Initialisation {
    /// A parameter with truncated-normal(0, std) entries from `stream.derive(name)`.
    static func truncatedNormal(_ name: String, shape: [Int], std: Float, stream: RandomStream) -> Tensor {
        var rng = stream.derive(name)
        return Tensor.parameter(name, shape: shape) { _ in
            while true {
                let z = rng.normal()
                if abs(z) <= 2 { return z * std }
            }
        }
    }

    /// A parameter with normal(0, std) entries from `stream.derive(name)`, untruncated (PyTorch's
    /// `normal_`, which RecBole's transformers use).
    static func normal(_ name: String, shape: [Int], std: Float, stream: RandomStream) -> Tensor {
        var rng = stream.derive(name)
        return Tensor.parameter(name, shape: shape, normalStd: std, rng: &rng)
    }

    /// A parameter with uniform(−bound, bound) entries from `stream.derive(name)` (PyTorch's
    /// `uniform_`, and its default for nn.GRU, nn.Linear and nn.Conv1d with bound 1/√fan_in).
    static func uniform(_ name: String, shape: [Int], bound: Float, stream: RandomStream) -> Tensor {
        var rng = stream.derive(name)
        return Tensor.parameter(name, shape: shape) { _ in rng.uniform(-bound, bound) }
    }

    /// A parameter filled with a constant (biases 0, layer-norm gains 1).
    static func constant(_ name: String, shape: [Int], value: Float) -> Tensor {
        Tensor.parameter(name, shape: shape) { _ in value }
    }
}
