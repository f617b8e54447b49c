// Softmax and log-softmax along the last axis, max-subtracted for stability.

import CKernels
import Foundation

extension Graph {
    /// softmax over the last axis of x [..., V].
    public func softmax(_ x: Tensor) -> Tensor {
        let y = make(x.shape)
        let v = x.lastDim, rows = x.rows
        for r in 0..<rows { softmaxRow(x.pointer + r * v, y.pointer + r * v, v) }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // dx = y ⊙ (dy − Σ dy·y)
                let gx = self.gradient(of: x), py = y.pointer
                for r in 0..<rows {
                    let o = r * v
                    var dot: Float = 0
                    for j in 0..<v { dot += gy[o + j] * py[o + j] }
                    for j in 0..<v { gx[o + j] += py[o + j] * (gy[o + j] - dot) }
                }
            }
        }
        return y
    }

    /// log-softmax over the last axis of x [..., V].
    public func logSoftmax(_ x: Tensor) -> Tensor {
        let y = make(x.shape)
        let v = x.lastDim, rows = x.rows
        for r in 0..<rows {
            let xr = x.pointer + r * v, yr = y.pointer + r * v
            let lse = logSumExp(xr, v)
            for j in 0..<v { yr[j] = xr[j] - lse }
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // dx = dy − softmax · Σ dy
                let gx = self.gradient(of: x), py = y.pointer
                for r in 0..<rows {
                    let o = r * v
                    var sum: Float = 0
                    for j in 0..<v { sum += gy[o + j] }
                    for j in 0..<v { gx[o + j] += gy[o + j] - exp(py[o + j]) * sum }
                }
            }
        }
        return y
    }
}

/// Writes softmax(x[0..<n]) to y (y may equal x), with the vectorised exp of CKernels.
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = rowMax(x, n)
    if UnsafePointer(y) != x { y.update(from: x, count: n) }
    let inv = 1 / seqlab_exp_shifted_sum(y, Int32(n), m)
    for j in 0..<n { y[j] *= inv }
}

/// max of x[0..<n], with eight accumulators so the loop vectorises under strict floating point.
@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var lanes = (Float(-Float.infinity), -Float.infinity, -Float.infinity, -Float.infinity)
    var j = 0
    while j + 4 <= n {
        lanes.0 = max(lanes.0, x[j]); lanes.1 = max(lanes.1, x[j + 1])
        lanes.2 = max(lanes.2, x[j + 2]); lanes.3 = max(lanes.3, x[j + 3])
        j += 4
    }
    var m = max(max(lanes.0, lanes.1), max(lanes.2, lanes.3))
    while j < n { m = max(m, x[j]); j += 1 }
    return m
}

/// log Σ exp(x[0..<n]), max-subtracted.
@inline(__always)
func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = -Float.infinity
    for j in 0..<n { m = max(m, x[j]) }
    var sum: Float = 0
    for j in 0..<n { sum += exp(x[j] - m) }
    return m + log(sum)
}
