// Adam (Kingma & Ba) with PyTorch's conventions: L2 weight decay added to the gradient (`Adam`),
// or decoupled decay applied to the weights (`AdamW`, Loshchilov & Hutter).
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//   p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)
// t counts the steps in which that parameter had a gradient (as torch keeps a step per parameter),
// so a weight frozen for a while and then released starts with the right bias correction.

import CKernels
import Foundation

/// Adam or AdamW over a fixed list of parameters.
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// Exponential decay rates of the first and second moments.
    public let beta1: Float, beta2: Float
    /// Added to the denominator for stability.
    public let eps: Float
    /// Weight decay: L2 (added to the gradient) for Adam, decoupled for AdamW.
    public let weightDecay: Float
    /// True for AdamW's decoupled weight decay.
    public let decoupled: Bool
    public private(set) var stepCount = 0
    private let m: [Tensor], v: [Tensor]
    /// Steps taken per parameter (exact as Float up to 2²⁴), saved with the moments.
    private let steps: Tensor

    /// Adam (or AdamW with `decoupled: true`) with PyTorch's defaults.
    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        m = parameters.map { Tensor(zeros: $0.shape, name: "adam.m." + $0.name) }
        v = parameters.map { Tensor(zeros: $0.shape, name: "adam.v." + $0.name) }
        steps = Tensor(zeros: [parameters.count], name: "adam.steps")
    }

    public func step() {
        stepCount += 1
        for (index, p) in parameters.enumerated() {
            guard let g = maskedGradient(p) else { continue }
            steps.pointer[index] += 1
            let t = Double(steps.pointer[index])
            let correction1 = 1 - Float(pow(Double(beta1), t))
            let correction2 = 1 - Float(pow(Double(beta2), t))
            let stepSize = learningRate / correction1
            let sqrtCorrection2 = correction2.squareRoot()
            let pp = p.pointer, pm = m[index].pointer, pv = v[index].pointer
            let decay = decoupled ? 1 - learningRate * weightDecay : 1
            guard let mask = p.gradientMask?.pointer else {
                // No mask: the vectorised kernel, split over the BLAS threads for large tensors.
                let (l2, scale) = (decoupled ? 0 : weightDecay, decoupled && weightDecay != 0 ? decay : 1)
                let n = p.count, parts = Parallel.parts(n, minimum: 1 << 16)
                Parallel.run(parts) { part in
                    let i0 = Parallel.start(part, of: parts, n), i1 = Parallel.start(part + 1, of: parts, n)
                    seqlab_adam_update(pp + i0, g + i0, pm + i0, pv + i0, i1 - i0, beta1, beta2, stepSize,
                                       sqrtCorrection2, eps, l2, scale)
                }
                continue
            }
            for i in 0..<p.count {
                if mask[i] == 0 { continue }
                var gi = g[i]
                if !decoupled && weightDecay != 0 { gi += weightDecay * pp[i] }
                if decoupled && weightDecay != 0 { pp[i] *= decay }
                pm[i] = beta1 * pm[i] + (1 - beta1) * gi
                pv[i] = beta2 * pv[i] + (1 - beta2) * gi * gi
                let denominator = pv[i].squareRoot() / sqrtCorrection2 + eps
                pp[i] -= stepSize * pm[i] / denominator
            }
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        zip(m, v).flatMap { [($0.name, $0), ($1.name, $1)] } + [(steps.name, steps)]
    }

    public func restore(stepCount: Int) { self.stepCount = stepCount }
}

/// Stochastic gradient descent with momentum (PyTorch's form, no dampening):
///   b ← μ·b + g (b starts at 0, so b = g on the first step),  p ← p − lr·b
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// Momentum coefficient μ (0 for plain SGD).
    public let momentum: Float
    /// L2 weight decay added to the gradient.
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private let buffers: [Tensor]

    /// SGD with optional momentum and L2 weight decay.
    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffers = parameters.map { Tensor(zeros: $0.shape, name: "sgd.momentum." + $0.name) }
    }

    public func step() {
        stepCount += 1
        for (index, p) in parameters.enumerated() {
            guard let g = maskedGradient(p) else { continue }
            let pp = p.pointer, pb = buffers[index].pointer
            let mask = p.gradientMask?.pointer
            for i in 0..<p.count {
                if let mask, mask[i] == 0 { continue }
                var gi = g[i]
                if weightDecay != 0 { gi += weightDecay * pp[i] }
                if momentum != 0 {
                    pb[i] = momentum * pb[i] + gi
                    gi = pb[i]
                }
                pp[i] -= learningRate * gi
            }
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] { buffers.map { ($0.name, $0) } }

    public func restore(stepCount: Int) { self.stepCount = stepCount }
}
