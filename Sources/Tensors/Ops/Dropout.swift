// Inverted dropout: kept elements are scaled by 1/(1−p) in training so inference needs no change.
// The mask is drawn from the caller's stream (the run's "dropout" stream), never a global one.
//
// Each mask takes one 64-bit key from the stream; element i of the mask is then a hash of (key, i)
// (CKernels' seqlab_dropout: SplitMix64 of the pair index i/2, one 32-bit half per element, its top
// 24 bits compared with the rate). So a mask costs one draw from the stream whatever its size, is
// filled in parallel, and is the same bit for bit on any number of threads.
//   y = x ⊙ M,  M_i = 0 with probability p, else 1/(1 − p)        dx = dy ⊙ M
//   y = x ⊙ M + r (dropoutAdd, a sublayer's residual)             dx = dy ⊙ M,  dr = dy

import CKernels

/// The parameters of one dropout mask: its key, and the 24-bit threshold and multiplier of its rate.
struct DropoutMask {
    /// The hash key, drawn once from the caller's stream.
    let key: UInt64
    /// Draws below this (of 2²⁴) drop their element: ⌈rate · 2²⁴⌉, so u·2⁻²⁴ < rate exactly.
    let threshold: UInt32
    /// The multiplier of kept elements, 1/(1 − rate).
    let keep: Float

    /// A mask for `rate` (in [0, 1)), taking one draw from `rng`.
    init(rate: Float, rng: inout RandomStream) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        key = rng.next()
        threshold = UInt32((Double(rate) * 0x1p24).rounded(.up))
        keep = 1 / (1 - rate)
    }

    /// Element i's multiplier, computed on its own in Swift: the readable reference the kernel is
    /// tested against.
    func multiplier(at i: Int) -> Float {
        var z = key &+ UInt64(i / 2 + 1) &* 0x9E37_79B9_7F4A_7C15   // SplitMix64 output i/2
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let draw = i % 2 == 0 ? UInt32(z >> 40) : UInt32(truncatingIfNeeded: z) >> 8   // 24 bits
        return draw < threshold ? 0 : keep
    }

    /// Writes the multipliers of elements start ..< end into pm (pm, x and y point at element 0);
    /// with x, also y = x ⊙ mask there.
    @inline(__always)
    func fill(_ pm: UnsafeMutablePointer<Float>, _ start: Int, _ end: Int,
              x: UnsafePointer<Float>? = nil, y: UnsafeMutablePointer<Float>? = nil) {
        seqlab_dropout(pm, x, y, start, end, key, threshold, keep)
    }

    /// Writes all n multipliers (and y = x ⊙ mask with x), split over the BLAS threads.
    func fill(_ pm: UnsafeMutablePointer<Float>, _ n: Int,
              x: UnsafePointer<Float>? = nil, y: UnsafeMutablePointer<Float>? = nil) {
        let parts = Parallel.parts(n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            fill(pm, Parallel.start(p, of: parts, n), Parallel.start(p + 1, of: parts, n), x: x, y: y)
        }
    }
}

extension Graph {
    /// Zeroes each element of x with probability `rate` and scales the rest by 1/(1 − rate).
    /// Call only in training; a rate of 0 returns x itself (and draws nothing).
    public func dropout(_ x: Tensor, rate: Float, rng: inout RandomStream) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        if rate == 0 { return x }
        let y = make(x.shape)
        let mask = make(x.shape)   // 0 or 1/(1−p), kept for backward
        let n = x.count, pm = mask.pointer
        // forward: y = x ⊙ M
        DropoutMask(rate: rate, rng: &rng).fill(pm, n, x: x.pointer, y: y.pointer)
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // dx (+)= dy ⊙ M
                let (gx, accumulate) = self.gradientForWriting(of: x)
                Self.multiply(gy, pm, into: gx, accumulate: accumulate, n)
            }
        }
        return y
    }

    /// dropout(x) + residual, in one pass: x and residual have the same shape [..., C]. The sublayer
    /// output of a transformer, before its layer norm. A rate of 0 is a plain sum (and draws nothing).
    public func dropoutAdd(_ x: Tensor, rate: Float, residual: Tensor, rng: inout RandomStream) -> Tensor {
        precondition(x.shape == residual.shape, "dropoutAdd: x \(x.shape) and residual \(residual.shape) differ")
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        if rate == 0 { return add(x, residual) }
        let y = make(x.shape)
        let mask = make(x.shape)   // 0 or 1/(1−p), kept for backward
        let n = x.count, pm = mask.pointer, px = x.pointer, pr = residual.pointer, py = y.pointer
        let drop = DropoutMask(rate: rate, rng: &rng)
        // forward: y = x ⊙ M + r
        let parts = Parallel.parts(n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            let i0 = Parallel.start(p, of: parts, n), i1 = Parallel.start(p + 1, of: parts, n)
            drop.fill(pm, i0, i1, x: px, y: py)
            for i in i0..<i1 { py[i] += pr[i] }
        }
        if needsGradient(x, residual) {
            record(y) { [unowned self] in
                guard let gyTensor = y.grad else { return }
                let gy = gyTensor.pointer
                // dx (+)= dy ⊙ M
                if x.requiresGrad {
                    let (gx, accumulate) = self.gradientForWriting(of: x)
                    Self.multiply(gy, pm, into: gx, accumulate: accumulate, n)
                }
                // dr (+)= dy; the first contribution takes dy's buffer itself (read above, not after)
                if residual.requiresGrad && !self.shareGradient(of: residual, with: gyTensor) {
                    let (gr, accumulate) = self.gradientForWriting(of: residual)
                    Self.copy(gy, into: gr, accumulate: accumulate, n)
                }
            }
        }
        return y
    }

    /// dst (+)= a ⊙ b over n elements, split over the BLAS threads.
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                         accumulate: Bool, _ n: Int) {
        let parts = Parallel.parts(n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            let i0 = Parallel.start(p, of: parts, n), i1 = Parallel.start(p + 1, of: parts, n)
            if accumulate {
                for i in i0..<i1 { dst[i] += a[i] * b[i] }
            } else {
                for i in i0..<i1 { dst[i] = a[i] * b[i] }
            }
        }
    }

    /// dst (+)= src over n elements, split over the BLAS threads.
    static func copy(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, accumulate: Bool, _ n: Int) {
        let parts = Parallel.parts(n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            let i0 = Parallel.start(p, of: parts, n), i1 = Parallel.start(p + 1, of: parts, n)
            if accumulate {
                for i in i0..<i1 { dst[i] += src[i] }
            } else {
                (dst + i0).update(from: src + i0, count: i1 - i0)
            }
        }
    }
}
