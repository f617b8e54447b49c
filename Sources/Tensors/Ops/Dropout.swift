// Inverted dropout: kept elements are scaled by 1/(1−p) in training so inference needs no change.
// The mask is drawn from the caller's stream (the run's "dropout" stream), never a global one.

extension Graph {
    /// Zeroes each element of x with probability `rate` and scales the rest by 1/(1 − rate).
    /// Call only in training; a rate of 0 returns x itself.
    public func dropout(_ x: Tensor, rate: Float, rng: inout RandomStream) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        if rate == 0 { return x }
        let y = make(x.shape)
        let mask = make(x.shape)   // 0 or 1/(1−p), kept for backward
        let keep = 1 / (1 - rate)
        let px = x.pointer, py = y.pointer, pm = mask.pointer
        for i in 0..<x.count {
            let m: Float = rng.nextFloat() < rate ? 0 : keep
            pm[i] = m
            py[i] = px[i] * m
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                for i in 0..<x.count { gx[i] += gy[i] * pm[i] }
            }
        }
        return y
    }
}
