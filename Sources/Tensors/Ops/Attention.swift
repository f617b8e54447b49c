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
    ///   - queryPositions: [B·Lq], each query's position among the keys for the causal mask (row-major
    ///     over [B, Lq]); nil: query i is at position i. Lets a few queries per row (the last real
    ///     position, say) attend over all of their row's keys.
    ///   - maskValue: the additive mask (−10000 as RecBole; use −1e9 for a harder mask).
    public func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor? = nil, causal: Bool, queryPositions: [Int]? = nil, maskValue: Float = -10000
    ) -> AttentionOutput {
        attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal, queryPositions: queryPositions,
                  maskValue: maskValue, dropout: nil)
    }

    /// Multi-head attention with dropout on the probabilities (training): each probability is zeroed
    /// with probability `dropout` and the rest scaled by 1/(1 − dropout); the mask [B, heads, Lq, Lk]
    /// takes one draw from `rng` (see Dropout.swift). A rate of 0 draws nothing and equals the plain
    /// form. The returned probabilities are the undropped ones.
    public func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor? = nil, causal: Bool, queryPositions: [Int]? = nil, maskValue: Float = -10000,
        dropout rate: Float, rng: inout RandomStream
    ) -> AttentionOutput {
        precondition(rate >= 0 && rate < 1, "attention dropout rate must be in [0, 1), got \(rate)")
        guard rate > 0, q.shape.count == 3, k.shape.count == 3 else {
            return attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal,
                             queryPositions: queryPositions, maskValue: maskValue)
        }
        return attention(q: q, k: k, v: v, heads: heads, validKeys: validKeys, causal: causal,
                         queryPositions: queryPositions, maskValue: maskValue, dropout: DropoutMask(rate: rate, rng: &rng))
    }

    /// The shared kernel; `drop` is the dropout mask's key and rate, nil for none.
    private func attention(
        q: Tensor, k: Tensor, v: Tensor, heads: Int,
        validKeys: IndexTensor?, causal: Bool, queryPositions: [Int]?, maskValue: Float, dropout drop: DropoutMask?
    ) -> AttentionOutput {
        precondition(q.shape.count == 3 && k.shape == v.shape && k.shape.count == 3,
                     "attention: q must be [B, Lq, H], k and v [B, Lk, H]; got \(q.shape), \(k.shape), \(v.shape)")
        let (b, lq, h) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1]
        precondition(k.shape[0] == b && k.shape[2] == h, "attention: q and k disagree: \(q.shape) vs \(k.shape)")
        precondition(heads >= 1 && h % heads == 0, "attention: \(heads) heads do not divide hidden size \(h)")
        if let validKeys { precondition(validKeys.shape == [b, lk], "attention: validKeys must be [\(b), \(lk)]") }
        if let queryPositions {
            precondition(queryPositions.count == b * lq && queryPositions.allSatisfy { $0 >= 0 },
                         "attention: queryPositions must hold \(b * lq) positions, got \(queryPositions.count)")
        }
        let d = h / heads
        let scale = 1 / Float(d).squareRoot()

        let out = make([b, lq, h])
        let probs = make([b, heads, lq, lk])
        let pq = q.pointer, pk = k.pointer, pv = v.pointer, po = out.pointer, pp = probs.pointer
        // M [B, heads, Lq, Lk], 0 or 1/(1 − p), filled head by head below; P̃ = P ⊙ M, what the values
        // are read with (P itself when there is no dropout).
        let keepMask = drop.map { _ in make([b, heads, lq, lk]) }
        let dropped = drop.map { _ in make([b, heads, lq, lk]) }
        let pd = dropped?.pointer ?? pp, pkm = keepMask?.pointer
        // Batch rows are independent: split them over the BLAS threads while each head's products are
        // small enough for OpenBLAS to run them on the calling thread (below its threading threshold
        // of 65536·4 multiply-adds); larger ones stay serial and OpenBLAS threads them itself.
        let parts = lq * lk * d < 262_144 ? Parallel.parts(b, minimum: 1) : 1
        // The additive mask [Lq, Lk]: one shared by every row without padded keys, and one scratch
        // mask per part for rows with some.
        let sharedMask = make([lq, lk]), scratchMasks = make([parts, lq, lk])
        Self.fillMask(sharedMask.pointer, lq: lq, lk: lk, causal: causal, maskValue: maskValue, keys: nil, positions: nil)
        let psm = sharedMask.pointer, pscratch = scratchMasks.pointer
        let keyIds = validKeys?.values ?? [], positionList = queryPositions ?? []
        keyIds.withUnsafeBufferPointer { ids in
          positionList.withUnsafeBufferPointer { positions in
            Parallel.run(parts) { part in
                let b0 = Parallel.start(part, of: parts, b), b1 = Parallel.start(part + 1, of: parts, b)
                for bi in b0..<b1 {
                    var pm = psm
                    let rowIds = validKeys == nil ? nil : UnsafeBufferPointer(rebasing: ids[(bi * lk)..<((bi + 1) * lk)])
                    if rowIds?.contains(0) == true || queryPositions != nil {
                        pm = pscratch + part * lq * lk
                        Self.fillMask(pm, lq: lq, lk: lk, causal: causal, maskValue: maskValue, keys: rowIds,
                                      positions: queryPositions == nil ? nil
                                          : UnsafeBufferPointer(rebasing: positions[(bi * lq)..<((bi + 1) * lq)]))
                    }
                    for hi in 0..<heads {
                        let s = pp + (bi * heads + hi) * lq * lk
                        let qh = pq + bi * lq * h + hi * d, kh = pk + bi * lk * h + hi * d
                        let vh = pv + bi * lk * h + hi * d, oh = po + bi * lq * h + hi * d
                        // S[Lq, Lk] = Q_h K_hᵀ · scale
                        BLAS.gemm(transB: true, m: lq, n: lk, k: d, alpha: scale, a: qh, lda: h, b: kh, ldb: h, c: s, ldc: lk)
                        for i in 0..<(lq * lk) { s[i] += pm[i] }
                        for r in 0..<lq { softmaxRow(s + r * lk, s + r * lk, lk) }
                        let offset = (bi * heads + hi) * lq * lk, sd = pd + offset
                        if let drop, let pkm {
                            // M and P̃ = P ⊙ M for this head
                            drop.fill(pkm, offset, offset + lq * lk, x: pp, y: pd)
                        }
                        // O_h[Lq, D] = P̃ V_h
                        BLAS.gemm(m: lq, n: d, k: lk, a: sd, lda: lk, b: vh, ldb: h, c: oh, ldc: h)
                    }
                }
            }
          }
        }

        if needsGradient(q, k, v) {
            record(out) { [unowned self] in
                guard let go = out.grad?.pointer else { return }
                // Taken in the order the products below write them (dV, dQ, dK), so that when two of
                // q, k, v are one tensor the first product stores (beta 0) and the second adds.
                let gv = v.requiresGrad ? self.gradientForWriting(of: v) : nil
                let gq = q.requiresGrad ? self.gradientForWriting(of: q) : nil
                let gk = k.requiresGrad ? self.gradientForWriting(of: k) : nil
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
                                // dV_h[Lk, D] (+)= P̃ᵀ dO_h
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, a: pdh, lda: lk, b: goh, ldb: h,
                                          beta: gv.accumulate ? 1 : 0, c: gv.pointer + ko, ldc: h)
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
                                // dQ_h[Lq, D] (+)= dS K_h · scale
                                BLAS.gemm(m: lq, n: d, k: lk, alpha: scale, a: dS, lda: lk, b: pk + ko, ldb: h,
                                          beta: gq.accumulate ? 1 : 0, c: gq.pointer + qo, ldc: h)
                            }
                            if let gk {
                                // dK_h[Lk, D] (+)= dSᵀ Q_h · scale
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, alpha: scale, a: dS, lda: lk, b: pq + qo, ldb: h,
                                          beta: gk.accumulate ? 1 : 0, c: gk.pointer + ko, ldc: h)
                            }
                        }
                    }
                }
            }
        }
        return AttentionOutput(output: out, probabilities: probs)
    }

    /// Writes the additive mask [Lq, Lk] for one batch row: `maskValue` where the key is padding
    /// (id 0 in `keys`, [Lk]; nil for none) or, if causal, after the query's position (`positions`
    /// [Lq], nil: query i at position i); 0 elsewhere.
    private static func fillMask(
        _ pm: UnsafeMutablePointer<Float>, lq: Int, lk: Int, causal: Bool, maskValue: Float,
        keys: UnsafeBufferPointer<Int32>?, positions: UnsafeBufferPointer<Int>?
    ) {
        for i in 0..<lq {
            let position = positions?[i] ?? i
            for j in 0..<lk {
                pm[i * lk + j] = (causal && j > position) || keys?[j] == 0 ? maskValue : 0
            }
        }
    }
}
