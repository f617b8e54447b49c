// Scores of a few candidate items per row: what sampled objectives (sampled softmax, BPR, BCE) need
// from an output layer, without the full [R, N] product.
//
// Each row scores its own K candidates (a positive and its negatives), so the work is R · K · C
// multiply-adds instead of R · N · C, and nothing of size N is touched forward. Backward writes
// only the candidates' columns of dW and entries of db (the buffers themselves are dense, as any
// parameter gradient here). Repeated ids, within a row or across rows, add their gradients.
//
//   hidden [R, C], weight [C, N] (or [N, C] transposed), bias [N], candidates [R, K]
//   y[r, k]    = Σ_c hidden[r, c] · W[c, ids[r, k]] + bias[ids[r, k]]                  y [R, K]
//   dh[r, c]  += Σ_k dy[r, k] · W[c, ids[r, k]]
//   dW[c, id] += dy[r, k] · hidden[r, c]        for id = ids[r, k]
//   db[id]    += dy[r, k]

extension Graph {
    /// Scores hidden rows [R, C] (or [..., C], flattened) against their own candidate items:
    /// `candidates` [R, K] → [R, K], score = hidden · weight column + bias entry. `weight` is the
    /// output projection [C, N], or an item table [N, C] with `transposedWeight`; `bias` is [N] or nil.
    public func candidateScores(
        hidden: Tensor, weight: Tensor, bias: Tensor?, candidates: IndexTensor, transposedWeight: Bool = false
    ) -> Tensor {
        let c = hidden.lastDim, rows = hidden.rows
        precondition(weight.shape.count == 2, "candidateScores: weight must be 2-D, got \(weight.shape)")
        let n = transposedWeight ? weight.shape[0] : weight.shape[1]
        let wc = transposedWeight ? weight.shape[1] : weight.shape[0]
        precondition(wc == c, "candidateScores: hidden has \(c) channels, weight \(weight.shape)")
        if let bias { precondition(bias.count == n, "candidateScores: bias needs \(n) elements, has \(bias.count)") }
        precondition(candidates.shape.count == 2 && candidates.shape[0] == rows,
                     "candidateScores: candidates must be [\(rows), K], got \(candidates.shape)")
        let k = candidates.shape[1]
        for id in candidates.values {
            precondition(id >= 0 && Int(id) < n, "candidateScores: candidate \(id) outside 0..<\(n)")
        }
        // Element (channel j, item i) of W sits at i·itemStride + j·channelStride in either layout.
        let itemStride = transposedWeight ? c : 1, channelStride = transposedWeight ? 1 : n

        let y = make([rows, k])
        let ph = hidden.pointer, pw = weight.pointer, py = y.pointer
        candidates.values.withUnsafeBufferPointer { ids in
            for r in 0..<rows {
                let h = ph + r * c
                for q in 0..<k {
                    let id = Int(ids[r * k + q])
                    let w = pw + id * itemStride
                    var s: Float = bias?.pointer[id] ?? 0
                    for j in 0..<c { s += h[j] * w[j * channelStride] }
                    py[r * k + q] = s
                }
            }
        }

        let wantH = needsGradient(hidden), wantW = needsGradient(weight)
        let wantB = isRecording && (bias?.requiresGrad ?? false)
        if wantH || wantW || wantB {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gh = wantH ? self.gradient(of: hidden) : nil
                let gw = wantW ? self.gradient(of: weight) : nil
                let gb = wantB ? bias.map { self.gradient(of: $0) } : nil
                candidates.values.withUnsafeBufferPointer { ids in
                    for r in 0..<rows {
                        let h = ph + r * c
                        for q in 0..<k {
                            let id = Int(ids[r * k + q]), d = gy[r * k + q]
                            let w = pw + id * itemStride
                            if let gh {
                                // dh[r, :] += dy[r, q] · W[:, id]
                                let dst = gh + r * c
                                for j in 0..<c { dst[j] += d * w[j * channelStride] }
                            }
                            if let gw {
                                // dW[:, id] += dy[r, q] · h[r, :]
                                let dst = gw + id * itemStride
                                for j in 0..<c { dst[j * channelStride] += d * h[j] }
                            }
                            gb?[id] += d
                        }
                    }
                }
            }
        }
        return y
    }
}
