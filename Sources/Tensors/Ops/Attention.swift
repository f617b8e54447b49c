// Masked multi-head scaled dot-product attention over already-projected q, k, v.
//
// Head h owns columns h·D ..< (h+1)·D of the hidden axis (D = H / heads); the GEMMs read those
// columns in place through the leading dimension, so no per-head copies are made.
//   S = Q_h K_hᵀ / √D + mask,   P = softmax(S),   O_h = P V_h
// The mask is additive (RecBole adds −10000 rather than −∞), so a row whose keys are all masked
// gets the same shift everywhere and stays softmax(raw scores) instead of NaN, exactly as the
// reference models behave. Causal masking compares key and query indices from the top left
// (key j > query i is masked), as torch's is_causal: with Lq < Lk, pass the queries' own keys. P is kept and returned:
// attention maps shown to users are these very probabilities, not a second computation.
// Attention dropout (RecBole's attn_dropout_prob, training only) multiplies P by a mask M of 0 and
// 1/(1 − p) before the values are read; the returned map stays the undropped P.
//   P̃ = P ⊙ M (P̃ = P without dropout),   O_h = P̃ V_h
// Backward, per head:
//   dP = (dO_h V_hᵀ) ⊙ M,  dV_h += P̃ᵀ dO_h,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),
//   dQ_h += dS K_h / √D,  dK_h += dSᵀ Q_h / √D

/// The output of attention and the probabilities that produced it.
public struct AttentionOutput {
    /// Attended values [B, Lq, H], heads concatenated.
    public let output: Tensor
    /// Attention probabilities [B, heads, Lq, Lk].
    public let probabilities: Tensor
}

extension Graph {
    /// Multi-head attention of q [B, Lq, H] over k, v [B, Lk, H].
    /// - Parameters:
    ///   - validKeys: [B, Lk] ids; a key whose id is 0 is padding and is masked.
    ///   - causal: mask keys after the query position (key index > query index).
    ///   - maskValue: the additive mask (−10000 as RecBole; use −1e9 for a harder mask).
    public func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor? = nil, causal: Bool, maskValue: Float = -10000
    ) -> AttentionOutput {
        attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal, maskValue: maskValue,
                  keepMask: nil)
    }

    /// Multi-head attention with dropout on the probabilities (training): each probability is zeroed
    /// with probability `dropout` and the rest scaled by 1/(1 − dropout), drawn from `rng` in the
    /// order [B, heads, Lq, Lk]. A rate of 0 draws nothing and equals the plain form. The returned
    /// probabilities are the undropped ones.
    public func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor? = nil, causal: Bool, maskValue: Float = -10000,
        dropout rate: Float, rng: inout RandomStream
    ) -> AttentionOutput {
        precondition(rate >= 0 && rate < 1, "attention dropout rate must be in [0, 1), got \(rate)")
        guard rate > 0, q.shape.count == 3, k.shape.count == 3 else {
            return attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal, maskValue: maskValue)
        }
        // [B, heads, Lq, Lk]: 0 or 1/(1 − p)
        let keepMask = make([q.shape[0], heads, q.shape[1], k.shape[1]])
        fillDropoutMask(keepMask.pointer, keepMask.count, rate: rate, rng: &rng)
        return attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal, maskValue: maskValue,
                         keepMask: keepMask)
    }

    /// The shared kernel; `keepMask` [B, heads, Lq, Lk] is the dropout mask, nil for none.
    private func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor?, causal: Bool, maskValue: Float, keepMask: Tensor?
    ) -> AttentionOutput {
        precondition(q.shape.count == 3 && k.shape == v.shape && k.shape.count == 3,
                     "attention: q must be [B, Lq, H], k and v [B, Lk, H]; got \(q.shape), \(k.shape), \(v.shape)")
        let (b, lq, h) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1]
        precondition(k.shape[0] == b && k.shape[2] == h, "attention: q and k disagree: \(q.shape) vs \(k.shape)")
        precondition(heads >= 1 && h % heads == 0, "attention: \(heads) heads do not divide hidden size \(h)")
        if let validKeys { precondition(validKeys.shape == [b, lk], "attention: validKeys must be [\(b), \(lk)]") }
        let d = h / heads
        let scale = 1 / Float(d).squareRoot()

        let out = make([b, lq, h])
        let probs = make([b, heads, lq, lk])
        let pq = q.pointer, pk = k.pointer, pv = v.pointer, po = out.pointer, pp = probs.pointer
        // P̃ = P ⊙ M, what the values are read with; P itself when there is no dropout.
        let dropped = keepMask.map { _ in make([b, heads, lq, lk]) }
        let pd = dropped?.pointer ?? pp, pkm = keepMask?.pointer
        // Batch rows are independent: split them over the BLAS threads while each head's products are
        // small enough for OpenBLAS to run them on the calling thread (below its threading threshold
        // of 65536·4 multiply-adds); larger ones stay serial and OpenBLAS threads them itself.
        let parts = lq * lk * d < 262_144 ? Parallel.parts(b, minimum: 1) : 1
        // The additive mask [Lq, Lk]: one shared by every row without padded keys, and one scratch
        // mask per part for rows with some.
        let sharedMask = make([lq, lk]), scratchMasks = make([parts, lq, lk])
        Self.fillMask(sharedMask.pointer, lq: lq, lk: lk, causal: causal, maskValue: maskValue, keys: nil)
        let psm = sharedMask.pointer, pscratch = scratchMasks.pointer
        let keyIds = validKeys?.values ?? []
        keyIds.withUnsafeBufferPointer { ids in
            Parallel.run(parts) { part in
                let b0 = Parallel.start(part, of: parts, b), b1 = Parallel.start(part + 1, of: parts, b)
                for bi in b0..<b1 {
                    var pm = psm
                    if validKeys != nil {
                        let rowIds = UnsafeBufferPointer(rebasing: ids[(bi * lk)..<((bi + 1) * lk)])
                        if rowIds.contains(0) {
                            pm = pscratch + part * lq * lk
                            Self.fillMask(pm, lq: lq, lk: lk, causal: causal, maskValue: maskValue, keys: rowIds)
                        }
                    }
                    for hi in 0..<heads {
                        let s = pp + (bi * heads + hi) * lq * lk
                        let qh = pq + bi * lq * h + hi * d, kh = pk + bi * lk * h + hi * d
                        let vh = pv + bi * lk * h + hi * d, oh = po + bi * lq * h + hi * d
                        // S[Lq, Lk] = Q_h K_hᵀ · scale
                        BLAS.gemm(transB: true, m: lq, n: lk, k: d, alpha: scale, a: qh, lda: h, b: kh, ldb: h, c: s, ldc: lk)
                        for i in 0..<(lq * lk) { s[i] += pm[i] }
                        for r in 0..<lq { softmaxRow(s + r * lk, s + r * lk, lk) }
                        let sd = pd + (bi * heads + hi) * lq * lk
                        if let pkm {
                            let mh = pkm + (bi * heads + hi) * lq * lk
                            for i in 0..<(lq * lk) { sd[i] = s[i] * mh[i] }
                        }
                        // O_h[Lq, D] = P̃ V_h
                        BLAS.gemm(m: lq, n: d, k: lk, a: sd, lda: lk, b: vh, ldb: h, c: oh, ldc: h)
                    }
                }
            }
        }

        if needsGradient(q, k, v) {
            record(out) { [unowned self] in
                guard let go = out.grad?.pointer else { return }
                let gq = q.requiresGrad ? self.gradient(of: q) : nil
                let gk = k.requiresGrad ? self.gradient(of: k) : nil
                let gv = v.requiresGrad ? self.gradient(of: v) : nil
                // One dS scratch [Lq, Lk] per part; each part writes only its batch rows' gradients.
                let scratch = self.make([parts, lq, lk]).pointer
                Parallel.run(parts) { part in
                    let b0 = Parallel.start(part, of: parts, b), b1 = Parallel.start(part + 1, of: parts, b)
                    let dS = scratch + part * lq * lk
                    for bi in b0..<b1 {
                        for hi in 0..<heads {
                            let p = pp + (bi * heads + hi) * lq * lk, pdh = pd + (bi * heads + hi) * lq * lk
                            let qo = bi * lq * h + hi * d, ko = bi * lk * h + hi * d
                            let goh = go + qo
                            if let gv {
                                // dV_h[Lk, D] += P̃ᵀ dO_h
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, a: pdh, lda: lk, b: goh, ldb: h,
                                          beta: 1, c: gv + ko, ldc: h)
                            }
                            guard gq != nil || gk != nil else { continue }
                            // dP[Lq, Lk] = (dO_h V_hᵀ) ⊙ M, then dS = P ⊙ (dP − rowsum(dP ⊙ P))
                            BLAS.gemm(transB: true, m: lq, n: lk, k: d, a: goh, lda: h, b: pv + ko, ldb: h, c: dS, ldc: lk)
                            if let pkm {
                                let mh = pkm + (bi * heads + hi) * lq * lk
                                for i in 0..<(lq * lk) { dS[i] *= mh[i] }
                            }
                            for r in 0..<lq {
                                let pr = p + r * lk, dr = dS + r * lk
                                var dot: Float = 0
                                for j in 0..<lk { dot += dr[j] * pr[j] }
                                for j in 0..<lk { dr[j] = pr[j] * (dr[j] - dot) }
                            }
                            if let gq {
                                // dQ_h[Lq, D] += dS K_h · scale
                                BLAS.gemm(m: lq, n: d, k: lk, alpha: scale, a: dS, lda: lk, b: pk + ko, ldb: h,
                                          beta: 1, c: gq + qo, ldc: h)
                            }
                            if let gk {
                                // dK_h[Lk, D] += dSᵀ Q_h · scale
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, alpha: scale, a: dS, lda: lk, b: pq + qo, ldb: h,
                                          beta: 1, c: gk + ko, ldc: h)
                            }
                        }
                    }
                }
            }
        }
        return AttentionOutput(output: out, probabilities: probs)
    }

    /// Writes the additive mask [Lq, Lk] for one batch row: `maskValue` where the key is padding
    /// (id 0 in `keys`, [Lk]; nil for none) or, if causal, after the query; 0 elsewhere.
    private static func fillMask(
        _ pm: UnsafeMutablePointer<Float>, lq: Int, lk: Int, causal: Bool, maskValue: Float,
        keys: UnsafeBufferPointer<Int32>?
    ) {
        for i in 0..<lq {
            for j in 0..<lk {
                pm[i * lk + j] = (causal && j > i) || keys?[j] == 0 ? maskValue : 0
            }
        }
    }
}
