// 1-D dilated convolution, channels-last, by im2col and one GEMM.
//
// Tap j of the kernel reads the input at time t + offset(j):
//   causal      offset(j) = −(k − 1 − j)·d      (left padding; position t sees only ≤ t)
//   non-causal  offset(j) = j·d − ⌊d·(k − 1)/2⌋ (PyTorch's padding="same": the extra zero of an
//                                                 even total padding goes on the right)
// Inputs outside [0, L) are zero. Weights are [k, C_in, C_out], so W reshaped to [k·C_in, C_out]
// multiplies the im2col matrix col[B·L, k·C_in] directly:
//   forward   Y = col · W + bias
//   backward  dW += colᵀ · dY,  dbias += Σ_rows dY,  dcol = dY · Wᵀ scattered back into dX.

extension Graph {
    /// Convolution of x [B, L, C_in] with w [k, C_in, C_out] and bias [C_out] → [B, L, C_out].
    public func conv1d(_ x: Tensor, _ w: Tensor, bias: Tensor?, dilation: Int, causal: Bool) -> Tensor {
        precondition(x.shape.count == 3, "conv1d: input must be [B, L, C_in], got \(x.shape)")
        precondition(w.shape.count == 3 && w.shape[1] == x.shape[2],
                     "conv1d: weight must be [k, C_in=\(x.shape[2]), C_out], got \(w.shape)")
        precondition(dilation >= 1, "conv1d: dilation must be at least 1, got \(dilation)")
        let (b, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
        let (k, cout) = (w.shape[0], w.shape[2])
        if let bias { precondition(bias.count == cout, "conv1d: bias needs \(cout) elements") }
        let offsets = (0..<k).map { j in causal ? -(k - 1 - j) * dilation : j * dilation - dilation * (k - 1) / 2 }
        let width = k * cin

        // col[B·L, k·C_in]
        let col = make([b * l, width])
        let px = x.pointer, pc = col.pointer
        for bi in 0..<b {
            for t in 0..<l {
                let dst = pc + (bi * l + t) * width
                for j in 0..<k {
                    let s = t + offsets[j]
                    if s >= 0 && s < l {
                        (dst + j * cin).update(from: px + (bi * l + s) * cin, count: cin)
                    } else {
                        (dst + j * cin).update(repeating: 0, count: cin)
                    }
                }
            }
        }
        let y = make([b, l, cout])
        let py = y.pointer
        if let bias {
            for r in 0..<(b * l) { (py + r * cout).update(from: bias.pointer, count: cout) }
        }
        BLAS.gemm(m: b * l, n: cout, k: width, a: pc, b: w.pointer, beta: bias == nil ? 0 : 1, c: py)

        if needsGradient(x, w) || (isRecording && bias?.requiresGrad == true) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                if w.requiresGrad {
                    // dW[k·C_in, C_out] += colᵀ · dY
                    BLAS.gemm(transA: true, m: width, n: cout, k: b * l, a: pc, b: gy, beta: 1,
                              c: self.gradient(of: w))
                }
                if let bias, bias.requiresGrad {
                    let gb = self.gradient(of: bias)
                    for r in 0..<(b * l) { for o in 0..<cout { gb[o] += gy[r * cout + o] } }
                }
                guard x.requiresGrad else { return }
                // dcol[B·L, k·C_in] = dY · Wᵀ, then scatter-add into dX
                let dcol = self.make([b * l, width])
                BLAS.gemm(transB: true, m: b * l, n: width, k: cout, a: gy, b: w.pointer, c: dcol.pointer)
                let gx = self.gradient(of: x), pd = dcol.pointer
                for bi in 0..<b {
                    for t in 0..<l {
                        let src = pd + (bi * l + t) * width
                        for j in 0..<k {
                            let s = t + offsets[j]
                            guard s >= 0 && s < l else { continue }
                            let dst = gx + (bi * l + s) * cin, part = src + j * cin
                            for c in 0..<cin { dst[c] += part[c] }
                        }
                    }
                }
            }
        }
        return y
    }
}
