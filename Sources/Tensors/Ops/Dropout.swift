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
        let px = x.pointer, py = y.pointer, pm = mask.pointer
        fillDropoutMask(pm, x.count, rate: rate, rng: &rng)
        for i in 0..<x.count { py[i] = px[i] * pm[i] }
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

/// Fills pm[0..<n] with dropout multipliers: 0 where `rng.nextFloat() < rate`, else 1/(1 − rate), one
/// draw per element in order. The comparison is done on the draw's 24 bits, u < ⌈rate·2²⁴⌉, which is
/// exactly u·2⁻²⁴ < rate (both sides scale by a power of two), without the conversion to Float.
func fillDropoutMask(_ pm: UnsafeMutablePointer<Float>, _ n: Int, rate: Float, rng: inout RandomStream) {
    let keep = 1 / (1 - rate)
    let threshold = UInt64((Double(rate) * 0x1p24).rounded(.up))
    for i in 0..<n { pm[i] = rng.next() >> 40 < threshold ? 0 : keep }
}
