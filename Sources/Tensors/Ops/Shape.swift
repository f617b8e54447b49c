// Reshape (a view), and concat / slice / gather along any axis.
//
// Axis ops see a tensor as [outer, axisLength, inner], where outer is the product of the dims before
// the axis and inner the product of those after it; each moves `inner`-long contiguous runs.

extension Graph {
    /// The same values with a new shape (same element count); shares storage with x.
    public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == x.count, "reshape: cannot view \(x.shape) as \(shape)")
        let y = Tensor(shape: shape, storage: x.storage)
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gyTensor = y.grad else { return }
                // dx += dy; the first contribution takes dy's buffer itself (a view's gradient is its base's)
                if self.shareGradient(of: x, with: gyTensor) { return }
                let gx = self.gradient(of: x), gy = gyTensor.pointer
                for i in 0..<x.count { gx[i] += gy[i] }
            }
        }
        return y
    }

    /// Tensors joined along `axis`; all other dims must agree.
    public func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        precondition(!xs.isEmpty, "concat needs at least one tensor")
        let first = xs[0].shape
        let ax = axis < 0 ? first.count + axis : axis
        precondition(ax >= 0 && ax < first.count, "concat: axis \(axis) out of range for \(first)")
        for t in xs {
            precondition(t.shape.count == first.count
                         && zip(t.shape, first).enumerated().allSatisfy { $0.offset == ax || $0.element.0 == $0.element.1 },
                         "concat: shapes \(t.shape) and \(first) differ outside axis \(ax)")
        }
        let outer = first[..<ax].reduce(1, *), inner = first[(ax + 1)...].reduce(1, *)
        let total = xs.reduce(0) { $0 + $1.shape[ax] }
        var shape = first
        shape[ax] = total
        let y = make(shape)
        var start = 0
        for t in xs {
            let len = t.shape[ax]
            for o in 0..<outer {
                (y.pointer + (o * total + start) * inner).update(from: t.pointer + o * len * inner, count: len * inner)
            }
            start += len
        }
        if isRecording && xs.contains(where: { $0.requiresGrad }) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                var start = 0
                for t in xs {
                    let len = t.shape[ax]
                    if t.requiresGrad {
                        let gt = self.gradient(of: t)
                        for o in 0..<outer {
                            let src = gy + (o * total + start) * inner, dst = gt + o * len * inner
                            for i in 0..<(len * inner) { dst[i] += src[i] }
                        }
                    }
                    start += len
                }
            }
        }
        return y
    }

    /// x[..., start ..< start + length, ...] along `axis`.
    public func slice(_ x: Tensor, axis: Int, start: Int, length: Int) -> Tensor {
        let ax = axis < 0 ? x.shape.count + axis : axis
        precondition(ax >= 0 && ax < x.shape.count, "slice: axis \(axis) out of range for \(x.shape)")
        let n = x.shape[ax]
        precondition(start >= 0 && length >= 0 && start + length <= n,
                     "slice: \(start)..<\(start + length) outside 0..<\(n) on axis \(ax)")
        let rows = (0..<length).map { start + $0 }
        return gather(x, axis: ax, indices: rows)
    }

    /// x indexed along `axis` by `indices` (repeats allowed): the axis becomes `indices.count` long.
    public func gather(_ x: Tensor, axis: Int, indices: [Int]) -> Tensor {
        let ax = axis < 0 ? x.shape.count + axis : axis
        precondition(ax >= 0 && ax < x.shape.count, "gather: axis \(axis) out of range for \(x.shape)")
        let n = x.shape[ax]
        for i in indices { precondition(i >= 0 && i < n, "gather: index \(i) outside 0..<\(n) on axis \(ax)") }
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
        var shape = x.shape
        shape[ax] = indices.count
        let y = make(shape)
        let m = indices.count
        for o in 0..<outer {
            for (p, i) in indices.enumerated() {
                (y.pointer + (o * m + p) * inner).update(from: x.pointer + (o * n + i) * inner, count: inner)
            }
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                for o in 0..<outer {
                    for (p, i) in indices.enumerated() {
                        let src = gy + (o * m + p) * inner, dst = gx + (o * n + i) * inner
                        for c in 0..<inner { dst[c] += src[c] }
                    }
                }
            }
        }
        return y
    }
}
