// Reductions to a scalar or over the last axis.

extension Graph {
    /// Σ x over every element → scalar [].
    public func sum(_ x: Tensor) -> Tensor { reduceAll(x, scale: 1) }

    /// Mean of every element → scalar [].
    public func mean(_ x: Tensor) -> Tensor { reduceAll(x, scale: 1 / Float(max(x.count, 1))) }

    /// Σ over the last axis: [..., C] → [...].
    public func sumLastAxis(_ x: Tensor) -> Tensor { reduceLast(x, scale: 1) }

    /// Mean over the last axis: [..., C] → [...].
    public func meanLastAxis(_ x: Tensor) -> Tensor { reduceLast(x, scale: 1 / Float(max(x.lastDim, 1))) }

    private func reduceAll(_ x: Tensor, scale: Float) -> Tensor {
        let y = make([])
        var acc: Double = 0
        let px = x.pointer
        for i in 0..<x.count { acc += Double(px[i]) }
        y.pointer[0] = Float(acc) * scale
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x), g = gy[0] * scale
                for i in 0..<x.count { gx[i] += g }
            }
        }
        return y
    }

    private func reduceLast(_ x: Tensor, scale: Float) -> Tensor {
        let c = x.lastDim, rows = x.rows
        let y = make(Array(x.shape.dropLast()))
        let px = x.pointer, py = y.pointer
        for r in 0..<rows {
            var acc: Float = 0
            for j in 0..<c { acc += px[r * c + j] }
            py[r] = acc * scale
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                for r in 0..<rows {
                    let g = gy[r] * scale
                    for j in 0..<c { gx[r * c + j] += g }
                }
            }
        }
        return y
    }
}
