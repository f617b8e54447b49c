// Softmax cross-entropy: on given logits, fused with the output projection for large vocabularies,
// and sampled (a positive against drawn negatives).
//
// The fused form never holds the [R, V] logits of the whole batch. It walks row blocks small enough
// for `maxBlockBytes`, and since the loss is the end of the graph it computes the gradients of the
// block while the block's logits are at hand:
//   Z = H_blk · W + b,  P = softmax(Z),  dZ = (P − onehot(target)) / count  (0 for ignored rows)
//   dH_blk = dZ · Wᵀ,   dW += H_blkᵀ · dZ,   db += Σ_rows dZ
// Backward then only scales those by the upstream gradient (normally 1). Memory: one block of
// logits plus dH [R, C] and dW (the size of W).

import CKernels
import Foundation

extension Graph {
    /// Mean cross-entropy of logits [R, V] against targets [R]; rows whose target equals
    /// `ignoreIndex` are left out of the mean (a batch with no counted row has loss 0).
    public func crossEntropy(_ logits: Tensor, targets: IndexTensor, ignoreIndex: Int32? = nil) -> Tensor {
        let v = logits.lastDim, rows = logits.rows
        precondition(targets.count == rows, "crossEntropy: \(rows) rows of logits but \(targets.count) targets")
        let counted = countRows(targets, ignoreIndex: ignoreIndex, classes: v)
        let loss = make([])
        let pl = logits.pointer
        var total: Double = 0
        targets.values.withUnsafeBufferPointer { tp in
            for r in 0..<rows where tp[r] != ignoreIndex {
                total += Double(logSumExp(pl + r * v, v) - pl[r * v + Int(tp[r])])
            }
        }
        loss.pointer[0] = counted == 0 ? 0 : Float(total / Double(counted))
        if needsGradient(logits) && counted > 0 {
            record(loss) { [unowned self] in
                guard let gl = loss.grad?.pointer else { return }
                let g = gl[0] / Float(counted)
                let gx = self.gradient(of: logits)
                let p = self.make([v]).pointer
                targets.values.withUnsafeBufferPointer { tp in
                    for r in 0..<rows where tp[r] != ignoreIndex {
                        softmaxRow(pl + r * v, p, v)
                        p[Int(tp[r])] -= 1
                        let row = gx + r * v
                        for j in 0..<v { row[j] += g * p[j] }
                    }
                }
            }
        }
        return loss
    }

    /// Mean cross-entropy of (hidden · W + bias) against targets without materialising all logits.
    /// - Parameters:
    ///   - hidden: [..., C], flattened to R rows.
    ///   - weight: [C, V], or [V, C] with `transposedWeight` (a tied item table).
    ///   - bias: [V] or nil.
    ///   - maxBlockBytes: bound on the logits block held at once (default 8 MiB: a block small enough
    ///     to stay in the last-level cache between the products and the softmax is faster than one
    ///     large block).
    public func fusedSoftmaxCrossEntropy(
        hidden: Tensor, weight: Tensor, bias: Tensor?, targets: IndexTensor,
        transposedWeight: Bool = false, ignoreIndex: Int32? = nil, maxBlockBytes: Int = 8 << 20
    ) -> Tensor {
        let c = hidden.lastDim, rows = hidden.rows
        precondition(weight.shape.count == 2, "fusedSoftmaxCrossEntropy: weight must be 2-D, got \(weight.shape)")
        let v = transposedWeight ? weight.shape[0] : weight.shape[1]
        let wc = transposedWeight ? weight.shape[1] : weight.shape[0]
        precondition(wc == c, "fusedSoftmaxCrossEntropy: hidden has \(c) channels, weight \(weight.shape)")
        if let bias { precondition(bias.count == v, "fusedSoftmaxCrossEntropy: bias needs \(v) elements") }
        precondition(targets.count == rows, "fusedSoftmaxCrossEntropy: \(rows) rows but \(targets.count) targets")
        let counted = countRows(targets, ignoreIndex: ignoreIndex, classes: v)

        let wantH = needsGradient(hidden), wantW = needsGradient(weight)
        let wantB = isRecording && (bias?.requiresGrad ?? false)
        let wantAny = (wantH || wantW || wantB) && counted > 0
        let blockRows = max(1, min(rows, maxBlockBytes / max(1, v * MemoryLayout<Float>.size)))
        let block = make([blockRows, v])
        let dH = wantH ? make([rows, c]) : nil
        // dW as [C, V] whichever way W is stored: Hᵀ·dZ reads the big dZ row by row, which packs
        // faster than the transposed dZᵀ·H a [V, C] layout needs (about 25% on this machine). The
        // first block's product writes it (beta 0).
        let dW = wantW ? make([c, v]) : nil
        let dB = wantB ? zeros([v]) : nil
        let ph = hidden.pointer, pw = weight.pointer, pz = block.pointer
        let inverseCount = counted == 0 ? 0 : 1 / Float(counted)

        // Row parts of a block run on their own threads; each has its own loss total and bias-gradient
        // row, summed in part order. The parts follow the block size, not the thread count, so the
        // sums round the same on any number of threads.
        let parts = Parallel.fixedParts(blockRows, minimum: 8)
        let dBParts = dB != nil && parts > 1 ? zeros([parts, v]) : nil
        var partTotals = [Double](repeating: 0, count: parts)
        targets.values.withUnsafeBufferPointer { tp in
            partTotals.withUnsafeMutableBufferPointer { totals in
            var start = 0
            while start < rows {
                let m = min(blockRows, rows - start)
                let hb = ph + start * c
                // Z[m, V] = H_blk[m, C] · op(W)[C, V]
                BLAS.gemm(transB: transposedWeight, m: m, n: v, k: c, a: hb, b: pw, c: pz)
                // + b, loss, and dZ = (softmax − onehot) / count row by row (0 for ignored rows)
                let blockParts = min(parts, m)
                Parallel.run(blockParts) { p in
                    let r0 = Parallel.start(p, of: blockParts, m), r1 = Parallel.start(p + 1, of: blockParts, m)
                    let db = dBParts.map { $0.pointer + p * v } ?? (p == 0 ? dB?.pointer : nil)
                    totals[p] += seqlab_softmax_xent_rows(
                        pz + r0 * v, Int32(r1 - r0), Int32(v), bias?.pointer, tp.baseAddress! + start + r0,
                        ignoreIndex == nil ? 0 : 1, ignoreIndex ?? 0, inverseCount, wantAny ? 1 : 0, db)
                }
                guard wantAny else { start += m; continue }
                if let dH {
                    // dH_blk[m, C] = dZ[m, V] · op(W)ᵀ
                    BLAS.gemm(transB: !transposedWeight, m: m, n: c, k: v, a: pz, b: pw, c: dH.pointer + start * c)
                }
                if let dW {
                    // dW[C, V] += H_blkᵀ · dZ
                    BLAS.gemm(transA: true, m: c, n: v, k: m, a: hb, b: pz, beta: start == 0 ? 0 : 1, c: dW.pointer)
                }
                start += m
            }
            }
        }
        if let dB, let dBParts {
            for p in 0..<parts { Self.accumulate(dB.pointer, dBParts.pointer + p * v, 1, v) }
        }
        let total = partTotals.reduce(0, +)

        let loss = make([])
        loss.pointer[0] = Float(total) * inverseCount
        if wantAny {
            record(loss) { [unowned self] in
                guard let gl = loss.grad?.pointer else { return }
                let g = gl[0]
                if let dH {
                    // dH is the hidden rows' whole gradient when nothing else reached them and g = 1
                    if !(g == 1 && self.shareGradient(of: hidden, with: dH)) {
                        Self.accumulate(self.gradient(of: hidden), dH.pointer, g, rows * c)
                    }
                }
                if let dW {
                    let gw = self.gradient(of: weight), pdw = dW.pointer
                    if transposedWeight {
                        // W [V, C]: dW[i, j] += g · dW_cv[j, i]
                        for i in 0..<v { for j in 0..<c { gw[i * c + j] += g * pdw[j * v + i] } }
                    } else {
                        Self.accumulate(gw, pdw, g, weight.count)
                    }
                }
                if let dB, let bias { Self.accumulate(self.gradient(of: bias), dB.pointer, g, v) }
            }
        }
        return loss
    }

    /// Sampled softmax: each row's positive item against its own negatives, cross-entropy with the
    /// positive as class 0. Built from primitives (embedding, batched matmul, cross-entropy).
    /// - Parameters:
    ///   - hidden: [R, C] sequence representations.
    ///   - table: [N, C] item vectors.
    ///   - positives: [R] item ids; rows with id `ignoreIndex` (padding) are left out.
    ///   - negatives: [R, S] item ids.
    public func sampledSoftmaxCrossEntropy(
        hidden: Tensor, table: Tensor, positives: IndexTensor, negatives: IndexTensor, ignoreIndex: Int32 = 0
    ) -> Tensor {
        let rows = hidden.rows, c = hidden.lastDim
        precondition(positives.count == rows && negatives.shape.count == 2 && negatives.shape[0] == rows,
                     "sampledSoftmaxCrossEntropy: need positives [\(rows)] and negatives [\(rows), S]")
        let s = negatives.shape[1]
        var candidates = [Int32](repeating: 0, count: rows * (1 + s))
        var classTargets = [Int32](repeating: 0, count: rows)
        for r in 0..<rows {
            candidates[r * (1 + s)] = positives.values[r]
            for j in 0..<s { candidates[r * (1 + s) + 1 + j] = negatives.values[r * s + j] }
            classTargets[r] = positives.values[r] == ignoreIndex ? -1 : 0
        }
        // [R, 1+S, C] · [R, C, 1] → [R, 1+S, 1]
        // A padding id among the candidates reads the padding row but must not train it.
        let vectors = embedding(table, IndexTensor(shape: [rows, 1 + s], values: candidates), paddingIndex: Int(ignoreIndex))
        let logits = batchedMatmul(vectors, reshape(hidden, [rows, c, 1]))
        return crossEntropy(reshape(logits, [rows, 1 + s]), targets: IndexTensor(classTargets), ignoreIndex: -1)
    }

    /// Rows whose target is not ignored; checks every counted target is a valid class.
    private func countRows(_ targets: IndexTensor, ignoreIndex: Int32?, classes: Int) -> Int {
        var counted = 0
        for t in targets.values where t != ignoreIndex {
            precondition(t >= 0 && Int(t) < classes, "cross-entropy target \(t) outside 0..<\(classes)")
            counted += 1
        }
        return counted
    }

    private static func accumulate(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ g: Float, _ n: Int) {
        for i in 0..<n { dst[i] += g * src[i] }
    }
}
