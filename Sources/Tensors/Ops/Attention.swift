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

import CKernels

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
        attention(q: Columns(q), k: Columns(k), v: Columns(v), heads: heads, validKeys: validKeys, causal: causal,
                  queryPositions: queryPositions, maskValue: maskValue, dropout: nil)
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
        return attention(q: Columns(q), k: Columns(k), v: Columns(v), heads: heads, validKeys: validKeys, causal: causal,
                         queryPositions: queryPositions, maskValue: maskValue,
                         dropout: rate > 0 ? DropoutMask(rate: rate, rng: &rng) : nil)
    }

    /// Self-attention over one projection qkv [B, L, 3H] holding q, k and v side by side (columns
    /// 0 ..< H, H ..< 2H, 2H ..< 3H), as one product of the concatenated weights gives them; its
    /// gradient is one [B, L, 3H] buffer too. Otherwise as attention(q:k:v:) with dropout.
    public func attention(
        qkv: Tensor, heads: Int, validKeys: IndexTensor? = nil, causal: Bool, queryPositions: [Int]? = nil,
        maskValue: Float = -10000, dropout rate: Float, rng: inout RandomStream
    ) -> AttentionOutput {
        precondition(qkv.shape.count == 3 && qkv.shape[2] % 3 == 0, "attention: qkv must be [B, L, 3H], got \(qkv.shape)")
        precondition(rate >= 0 && rate < 1, "attention dropout rate must be in [0, 1), got \(rate)")
        let h = qkv.shape[2] / 3
        return attention(q: Columns(qkv, 0, h), k: Columns(qkv, h, h), v: Columns(qkv, 2 * h, h), heads: heads,
                         validKeys: validKeys, causal: causal, queryPositions: queryPositions, maskValue: maskValue,
                         dropout: rate > 0 ? DropoutMask(rate: rate, rng: &rng) : nil)
    }

    /// Attention of q [B, Lq, H] over keys and values held side by side in kv [B, Lk, 2H] (columns
    /// 0 ..< H and H ..< 2H). Otherwise as attention(q:k:v:) with dropout.
    public func attention(
        q: Tensor, kv: Tensor, heads: Int, validKeys: IndexTensor? = nil, causal: Bool, queryPositions: [Int]? = nil,
        maskValue: Float = -10000, dropout rate: Float, rng: inout RandomStream
    ) -> AttentionOutput {
        precondition(kv.shape.count == 3 && kv.shape[2] % 2 == 0, "attention: kv must be [B, L, 2H], got \(kv.shape)")
        precondition(rate >= 0 && rate < 1, "attention dropout rate must be in [0, 1), got \(rate)")
        let h = kv.shape[2] / 2
        return attention(q: Columns(q), k: Columns(kv, 0, h), v: Columns(kv, h, h), heads: heads, validKeys: validKeys,
                         causal: causal, queryPositions: queryPositions, maskValue: maskValue,
                         dropout: rate > 0 ? DropoutMask(rate: rate, rng: &rng) : nil)
    }

    /// Columns offset ..< offset + width of a [B, L, C] tensor: the q, k or v matrix [B, L, H] the
    /// kernel reads, with rows `tensor.lastDim` apart.
    private struct Columns {
        let tensor: Tensor, offset: Int, width: Int
        init(_ tensor: Tensor, _ offset: Int = 0, _ width: Int? = nil) {
            self.tensor = tensor
            self.offset = offset
            self.width = width ?? tensor.lastDim
        }
        var stride: Int { tensor.lastDim }
        var pointer: UnsafeMutablePointer<Float> { tensor.pointer + offset }
    }

    /// The shared kernel; `drop` is the dropout mask's key and rate, nil for none.
    private func attention(
        q qc: Columns, k kc: Columns, v vc: Columns, heads: Int,
        validKeys: IndexTensor?, causal: Bool, queryPositions: [Int]?, maskValue: Float, dropout drop: DropoutMask?
    ) -> AttentionOutput {
        let (q, k, v) = (qc.tensor, kc.tensor, vc.tensor)
        precondition(q.shape.count == 3 && k.shape.count == 3 && v.shape.count == 3,
                     "attention: q must be [B, Lq, H], k and v [B, Lk, H]; got \(q.shape), \(k.shape), \(v.shape)")
        let (b, lq, h) = (q.shape[0], q.shape[1], qc.width)
        let lk = k.shape[1]
        precondition(k.shape[0] == b && v.shape[0] == b && v.shape[1] == lk && kc.width == h && vc.width == h,
                     "attention: q, k and v disagree: \(q.shape), \(k.shape), \(v.shape)")
        for c in [qc, kc, vc] {
            precondition(c.offset >= 0 && c.offset + c.width <= c.stride, "attention: columns outside \(c.tensor.shape)")
            for o in [qc, kc, vc] where o.tensor === c.tensor {
                precondition(o.offset == c.offset || o.offset + o.width <= c.offset || c.offset + c.width <= o.offset,
                             "attention: q, k and v from one tensor must be the same or disjoint columns")
            }
        }
        precondition(heads >= 1 && h % heads == 0, "attention: \(heads) heads do not divide hidden size \(h)")
        if let validKeys { precondition(validKeys.shape == [b, lk], "attention: validKeys must be [\(b), \(lk)]") }
        if let queryPositions {
            precondition(queryPositions.count == b * lq && queryPositions.allSatisfy { $0 >= 0 },
                         "attention: queryPositions must hold \(b * lq) positions, got \(queryPositions.count)")
        }
        let (sq, sk, sv) = (qc.stride, kc.stride, vc.stride)
        let d = h / heads
        let scale = 1 / Float(d).squareRoot()

        let out = make([b, lq, h])
        let probs = make([b, heads, lq, lk])
        let pq = qc.pointer, pk = kc.pointer, pv = vc.pointer, po = out.pointer, pp = probs.pointer
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
                        let qh = pq + bi * lq * sq + hi * d, kh = pk + bi * lk * sk + hi * d
                        let vh = pv + bi * lk * sv + hi * d, oh = po + bi * lq * h + hi * d
                        // S[Lq, Lk] = Q_h K_hᵀ · scale
                        BLAS.gemm(transB: true, m: lq, n: lk, k: d, alpha: scale, a: qh, lda: sq, b: kh, ldb: sk, c: s, ldc: lk)
                        // P = softmax(S + mask), row by row
                        seqlab_masked_softmax_rows(s, pm, Int32(lq), Int32(lk))
                        let offset = (bi * heads + hi) * lq * lk, sd = pd + offset
                        if let drop, let pkm {
                            // M and P̃ = P ⊙ M for this head
                            drop.fill(pkm, offset, offset + lq * lk, x: pp, y: pd)
                        }
                        // O_h[Lq, D] = P̃ V_h
                        BLAS.gemm(m: lq, n: d, k: lk, a: sd, lda: lk, b: vh, ldb: sv, c: oh, ldc: h)
                    }
                }
            }
          }
        }

        if needsGradient(q, k, v) {
            record(out) { [unowned self] in
                guard let go = out.grad?.pointer else { return }
                // Taken in the order the products below write them (dV, dQ, dK): when two of q, k, v
                // are the same columns of one tensor, the first product stores (beta 0) and the second
                // adds; when they are different columns of one tensor (qkv, kv), each stores its own.
                var taken: [(columns: Columns, gradient: (pointer: UnsafeMutablePointer<Float>, accumulate: Bool))] = []
                func gradient(_ c: Columns) -> (pointer: UnsafeMutablePointer<Float>, accumulate: Bool)? {
                    guard c.tensor.requiresGrad else { return nil }
                    let earlier = taken.filter { $0.columns.tensor === c.tensor }
                    let g = earlier.first?.gradient ?? self.gradientForWriting(of: c.tensor)
                    taken.append((c, g))
                    return (g.pointer + c.offset, g.accumulate || earlier.contains { $0.columns.offset == c.offset })
                }
                let gv = gradient(vc), gq = gradient(qc), gk = gradient(kc)
                // One dS scratch [Lq, Lk] per part; each part writes only its batch rows' gradients.
                let scratch = self.make([parts, lq, lk]).pointer
                Parallel.run(parts) { part in
                    let b0 = Parallel.start(part, of: parts, b), b1 = Parallel.start(part + 1, of: parts, b)
                    let dS = scratch + part * lq * lk
                    for bi in b0..<b1 {
                        for hi in 0..<heads {
                            let p = pp + (bi * heads + hi) * lq * lk, pdh = pd + (bi * heads + hi) * lq * lk
                            let qo = bi * lq * sq + hi * d, ko = bi * lk * sk + hi * d, vo = bi * lk * sv + hi * d
                            let goh = go + bi * lq * h + hi * d
                            if let gv {
                                // dV_h[Lk, D] (+)= P̃ᵀ dO_h
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, a: pdh, lda: lk, b: goh, ldb: h,
                                          beta: gv.accumulate ? 1 : 0, c: gv.pointer + vo, ldc: sv)
                            }
                            guard gq != nil || gk != nil else { continue }
                            // dP[Lq, Lk] = (dO_h V_hᵀ) ⊙ M, then dS = P ⊙ (dP − rowsum(dP ⊙ P))
                            BLAS.gemm(transB: true, m: lq, n: lk, k: d, a: goh, lda: h, b: pv + vo, ldb: sv, c: dS, ldc: lk)
                            seqlab_softmax_gradient_rows(dS, p, pkm.map { $0 + (bi * heads + hi) * lq * lk },
                                                         Int32(lq), Int32(lk))
                            if let gq {
                                // dQ_h[Lq, D] (+)= dS K_h · scale
                                BLAS.gemm(m: lq, n: d, k: lk, alpha: scale, a: dS, lda: lk, b: pk + ko, ldb: sk,
                                          beta: gq.accumulate ? 1 : 0, c: gq.pointer + qo, ldc: sq)
                            }
                            if let gk {
                                // dK_h[Lk, D] (+)= dSᵀ Q_h · scale
                                BLAS.gemm(transA: true, m: lk, n: d, k: lq, alpha: scale, a: dS, lda: lk, b: pq + qo, ldb: sq,
                                          beta: gk.accumulate ? 1 : 0, c: gk.pointer + ko, ldc: sk)
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
