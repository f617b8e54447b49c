// Optimizers update parameters in place from their gradients, as PyTorch's do (same formulas and
// order of operations, so runs can be compared step by step).
//
// Frozen parameters are skipped. A parameter's `gradientMask` (0/1 per element) multiplies both
// its gradient and its update, so masked elements stay exactly unchanged (Conure freezes the
// weights kept for earlier tasks this way, and weight decay must not erode them either).

import Foundation

/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, in a fixed order.
    var parameters: [Tensor] { get }
    /// The learning rate (schedulers may change it between steps).
    var learningRate: Float { get set }
    /// Number of steps taken.
    var stepCount: Int { get }
    /// Applies one update from the current gradients.
    func step()
    /// Named state tensors (moments, momentum buffers) for checkpoints, in a fixed order.
    func stateTensors() -> [(name: String, tensor: Tensor)]
    /// Restores the step count (state tensors are restored in place through `stateTensors`).
    func restore(stepCount: Int)
}

extension Optimizer {
    /// Sets every gradient to zero (the buffers are kept).
    public func zeroGradients() {
        for p in parameters { p.grad?.fill(0) }
    }
}

/// The gradient of `p`, or nil if the parameter is frozen or got none. `Graph.backward` has
/// already applied the mask; the update loops skip masked elements, so a gradient set by hand on a
/// masked element cannot move it either.
@inline(__always)
func maskedGradient(_ p: Tensor) -> UnsafeMutablePointer<Float>? {
    guard !p.isFrozen, let g = p.grad else { return nil }
    if let mask = p.gradientMask {
        precondition(mask.count == p.count, "gradient mask of \(p.name) has \(mask.count) elements, parameter \(p.count)")
    }
    return g.pointer
}

/// Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before
/// clipping (as torch.nn.utils.clip_grad_norm_, including its 1e-6 guard).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let norm = Float(gradientNorm(parameters))
    clipGradientNorm(parameters, maxNorm: maxNorm, norm: norm)
    return norm
}

/// The global L2 norm of the gradients of the parameters that are not frozen, summed in Double in
/// parameter order (so clipping gives the same bits however it is called). NaN when a gradient
/// holds NaN, +Inf when one holds ±Inf and none NaN: the trainer reads that as a bad gradient.
public func gradientNorm(_ parameters: [Tensor]) -> Double {
    var total: Double = 0
    for p in parameters where !p.isFrozen {
        guard let g = p.grad else { continue }
        for i in 0..<g.count { total += Double(g.pointer[i]) * Double(g.pointer[i]) }
    }
    return total.squareRoot()
}

/// Scales all gradients by `maxNorm / (norm + 1e-6)` when that is below 1, `norm` being their
/// global norm as `gradientNorm` computed it (the trainer computes it once, to check it too).
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float, norm: Float) {
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters where !p.isFrozen {
            guard let g = p.grad else { continue }
            for i in 0..<g.count { g.pointer[i] *= coefficient }
        }
    }
}
