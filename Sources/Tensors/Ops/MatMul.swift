// Matrix products through cblas_sgemm, forward and backward, with optional transposes.
//
// For Y = op(A) · op(B) with dY given:
//   dA = dY · op(B)ᵀ   (stored as A is: transposed back when transA)
//   dB = op(A)ᵀ · dY   (stored as B is: transposed back when transB)
// Gradients accumulate (beta = 1), so a tensor used twice gets the sum.

extension Graph {
    /// op(a) · op(b). a is [..., K] (leading dims flattened to M rows), or [K, M] with
    /// `transposeA`; b is [K, N], or [N, K] with `transposeB` (a tied embedding table).
    /// Result: [..., N] (or [M, N]).
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(b.shape.count == 2, "matmul: second operand must be 2-D, got \(b.shape)")
        precondition(!transposeA || a.shape.count == 2, "matmul: transposeA needs a 2-D first operand")
        let k = transposeA ? a.shape[0] : a.lastDim
        let m = transposeA ? a.shape[1] : a.rows
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let outShape = transposeA ? [m, n] : Array(a.shape.dropLast()) + [n]
        let y = make(outShape)
        // forward: Y[M, N] = op(A)[M, K] · op(B)[K, N]
        BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: a.pointer, b: b.pointer, c: y.pointer)
        if needsGradient(a, b) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                Self.matmulBackward(
                    m: m, n: n, k: k, transA: transposeA, transB: transposeB,
                    a: a, b: b, gy: gy, graph: self)
            }
        }
        return y
    }

    /// op(a) · op(b) per batch: a [B, M, K] (or [B, K, M]), b [B, K, N] (or [B, N, K]) → [B, M, N].
    public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 3 && b.shape.count == 3 && a.shape[0] == b.shape[0],
                     "batchedMatmul needs [B, ·, ·] operands with the same B, got \(a.shape) and \(b.shape)")
        let batch = a.shape[0]
        let m = transposeA ? a.shape[2] : a.shape[1], k = transposeA ? a.shape[1] : a.shape[2]
        let kb = transposeB ? b.shape[2] : b.shape[1], n = transposeB ? b.shape[1] : b.shape[2]
        precondition(k == kb, "batchedMatmul: inner dimensions differ: \(a.shape) · \(b.shape)")
        let y = make([batch, m, n])
        let sa = m * k, sb = k * n, sy = m * n
        for i in 0..<batch {
            BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                      a: a.pointer + i * sa, b: b.pointer + i * sb, c: y.pointer + i * sy)
        }
        if needsGradient(a, b) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let ga = a.requiresGrad ? self.gradient(of: a) : nil
                let gb = b.requiresGrad ? self.gradient(of: b) : nil
                for i in 0..<batch {
                    Self.productGradients(
                        m: m, n: n, k: k, transA: transposeA, transB: transposeB,
                        a: a.pointer + i * sa, b: b.pointer + i * sb, gy: gy + i * sy,
                        ga: ga.map { $0 + i * sa }, gb: gb.map { $0 + i * sb })
                }
            }
        }
        return y
    }

    /// x · w + bias: x [..., K], w [K, N], bias [N] → [..., N]. The bias is written into the output
    /// first and the product added to it (beta 1), so it costs no pass of its own; backward takes dX
    /// and dW from two products and db from the column sums of dY, with no buffer for the product.
    public func linear(_ x: Tensor, _ w: Tensor, _ bias: Tensor?) -> Tensor {
        guard let bias else { return matmul(x, w) }
        precondition(w.shape.count == 2, "linear: weight must be [K, N], got \(w.shape)")
        let k = x.lastDim, m = x.rows, n = w.shape[1]
        precondition(w.shape[0] == k, "linear: x \(x.shape) does not match weight \(w.shape)")
        precondition(bias.count == n, "linear: bias needs \(n) elements, has \(bias.count)")
        let y = make(Array(x.shape.dropLast()) + [n])
        let px = x.pointer, pw = w.pointer, pb = bias.pointer, py = y.pointer
        // forward: Y[M, N] = 1 · biasᵀ, then Y += X[M, K] · W[K, N]
        let parts = Parallel.parts(m * n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            for r in Parallel.start(p, of: parts, m)..<Parallel.start(p + 1, of: parts, m) {
                (py + r * n).update(from: pb, count: n)
            }
        }
        BLAS.gemm(m: m, n: n, k: k, a: px, b: pw, beta: 1, c: py)
        if needsGradient(x, w, bias) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                if x.requiresGrad {
                    // dX[M, K] (+)= dY[M, N] · Wᵀ
                    let (gx, accumulate) = self.gradientForWriting(of: x)
                    BLAS.gemm(transB: true, m: m, n: k, k: n, a: gy, b: pw, beta: accumulate ? 1 : 0, c: gx)
                }
                if w.requiresGrad {
                    // dW[K, N] += Xᵀ · dY
                    BLAS.gemm(transA: true, m: k, n: n, k: m, a: px, b: gy, beta: 1, c: self.gradient(of: w))
                }
                if bias.requiresGrad {
                    // db[N] += Σ_rows dY
                    Self.addColumnSums(gy, rows: m, columns: n, into: self.gradient(of: bias))
                }
            }
        }
        return y
    }

    /// x · [w₁ | w₂ | …] + [b₁ | b₂ | …]: several linear maps of one input in one product (a
    /// transformer's query, key and value projections), x [..., K], wᵢ [K, Nᵢ], bᵢ [Nᵢ] → [..., ΣNᵢ],
    /// the maps' outputs side by side in that order. The weights are copied into one [K, ΣN] matrix
    /// per call (small next to x); backward is one product for dX and one for all the dWᵢ, which are
    /// then added into each weight's gradient.
    public func linear(_ x: Tensor, concatenating weights: [Tensor], biases: [Tensor]) -> Tensor {
        precondition(!weights.isEmpty && weights.count == biases.count,
                     "linear: need as many biases as weights, got \(weights.count) and \(biases.count)")
        let k = x.lastDim, m = x.rows
        for (w, b) in zip(weights, biases) {
            precondition(w.shape.count == 2 && w.shape[0] == k && b.count == w.shape[1],
                         "linear: weight \(w.shape) and bias \(b.shape) do not fit x \(x.shape)")
        }
        let widths = weights.map { $0.shape[1] }, n = widths.reduce(0, +)
        let offsets = widths.indices.map { widths[..<$0].reduce(0, +) }
        // W[K, ΣN] = [w₁ | w₂ | …], b[ΣN] = [b₁ | b₂ | …]
        let w = make([k, n]), bias = make([n])
        let pw = w.pointer, pb = bias.pointer
        for (i, wi) in weights.enumerated() {
            for r in 0..<k { (pw + r * n + offsets[i]).update(from: wi.pointer + r * widths[i], count: widths[i]) }
            (pb + offsets[i]).update(from: biases[i].pointer, count: widths[i])
        }
        let y = make(Array(x.shape.dropLast()) + [n])
        let px = x.pointer, py = y.pointer
        // forward: Y[M, ΣN] = 1 · bᵀ, then Y += X[M, K] · W[K, ΣN]
        let parts = Parallel.parts(m * n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            for r in Parallel.start(p, of: parts, m)..<Parallel.start(p + 1, of: parts, m) { (py + r * n).update(from: pb, count: n) }
        }
        BLAS.gemm(m: m, n: n, k: k, a: px, b: pw, beta: 1, c: py)
        if isRecording && ([x] + weights + biases).contains(where: { $0.requiresGrad }) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                if x.requiresGrad {
                    // dX[M, K] (+)= dY[M, ΣN] · Wᵀ
                    let (gx, accumulate) = self.gradientForWriting(of: x)
                    BLAS.gemm(transB: true, m: m, n: k, k: n, a: gy, b: pw, beta: accumulate ? 1 : 0, c: gx)
                }
                if weights.contains(where: { $0.requiresGrad }) {
                    // dW[K, ΣN] = Xᵀ · dY, then dwᵢ += its columns
                    let dw = self.make([k, n]).pointer
                    BLAS.gemm(transA: true, m: k, n: n, k: m, a: px, b: gy, c: dw)
                    for (i, wi) in weights.enumerated() where wi.requiresGrad {
                        let g = self.gradient(of: wi)
                        for r in 0..<k {
                            let src = dw + r * n + offsets[i], dst = g + r * widths[i]
                            for j in 0..<widths[i] { dst[j] += src[j] }
                        }
                    }
                }
                if biases.contains(where: { $0.requiresGrad }) {
                    // db[ΣN] = Σ_rows dY, then dbᵢ += its part
                    let db = self.zeros([n]).pointer
                    Self.addColumnSums(gy, rows: m, columns: n, into: db)
                    for (i, bi) in biases.enumerated() where bi.requiresGrad {
                        let g = self.gradient(of: bi)
                        for j in 0..<widths[i] { g[j] += db[offsets[i] + j] }
                    }
                }
            }
        }
        return y
    }

    /// dst[j] += Σ_r src[r·columns + j]: columns split over the BLAS threads, each summed over the
    /// rows in order (so the sums do not depend on the number of threads).
    static func addColumnSums(_ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>) {
        let parts = max(1, min(Parallel.parts(rows * columns, minimum: 1 << 15), columns / 8))
        Parallel.run(parts) { p in
            let j0 = Parallel.start(p, of: parts, columns), j1 = Parallel.start(p + 1, of: parts, columns)
            for r in 0..<rows {
                let row = src + r * columns
                for j in j0..<j1 { dst[j] += row[j] }
            }
        }
    }

    private static func matmulBackward(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool, a: Tensor, b: Tensor,
        gy: UnsafeMutablePointer<Float>, graph: Graph
    ) {
        // The first contribution to a gradient is stored (beta 0), later ones added; when a and b
        // are one tensor, the second call sees the first's buffer and adds.
        let ga = a.requiresGrad ? graph.gradientForWriting(of: a) : nil
        let gb = b.requiresGrad ? graph.gradientForWriting(of: b) : nil
        productGradients(
            m: m, n: n, k: k, transA: transA, transB: transB, a: a.pointer, b: b.pointer, gy: gy,
            ga: ga?.pointer, gb: gb?.pointer, betaA: ga?.accumulate == false ? 0 : 1,
            betaB: gb?.accumulate == false ? 0 : 1)
    }

    /// Accumulates dA and dB of Y[M, N] = op(A) · op(B) given dY (see the file header); betaA and
    /// betaB 0 store them instead (the buffer's first contribution).
    static func productGradients(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, gy: UnsafePointer<Float>,
        ga: UnsafeMutablePointer<Float>?, gb: UnsafeMutablePointer<Float>?, betaA: Float = 1, betaB: Float = 1
    ) {
        if let ga {
            if !transA {
                // dA[M, K] += dY[M, N] · op(B)ᵀ
                BLAS.gemm(transA: false, transB: !transB, m: m, n: k, k: n, a: gy, b: b, beta: betaA, c: ga)
            } else {
                // A stored [K, M]: dA[K, M] += op(B)[K, N] · dYᵀ
                BLAS.gemm(transA: transB, transB: true, m: k, n: m, k: n, a: b, b: gy, beta: betaA, c: ga)
            }
        }
        if let gb {
            if !transB {
                // dB[K, N] += op(A)ᵀ · dY
                BLAS.gemm(transA: !transA, transB: false, m: k, n: n, k: m, a: a, b: gy, beta: betaB, c: gb)
            } else {
                // B stored [N, K]: dB[N, K] += dYᵀ · op(A)
                BLAS.gemm(transA: true, transB: transA, m: n, n: k, k: m, a: gy, b: a, beta: betaB, c: gb)
            }
        }
    }
}
