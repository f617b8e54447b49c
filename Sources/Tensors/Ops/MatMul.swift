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

    /// x · w + bias: x [..., K], w [K, N], bias [N] → [..., N].
    public func linear(_ x: Tensor, _ w: Tensor, _ bias: Tensor?) -> Tensor {
        let y = matmul(x, w)
        guard let bias else { return y }
        return add(y, bias)
    }

    private static func matmulBackward(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool, a: Tensor, b: Tensor,
        gy: UnsafeMutablePointer<Float>, graph: Graph
    ) {
        productGradients(
            m: m, n: n, k: k, transA: transA, transB: transB, a: a.pointer, b: b.pointer, gy: gy,
            ga: a.requiresGrad ? graph.gradient(of: a) : nil,
            gb: b.requiresGrad ? graph.gradient(of: b) : nil)
    }

    /// Accumulates dA and dB of Y[M, N] = op(A) · op(B) given dY (see the file header).
    static func productGradients(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, gy: UnsafePointer<Float>,
        ga: UnsafeMutablePointer<Float>?, gb: UnsafeMutablePointer<Float>?
    ) {
        if let ga {
            if !transA {
                // dA[M, K] += dY[M, N] · op(B)ᵀ
                BLAS.gemm(transA: false, transB: !transB, m: m, n: k, k: n, a: gy, b: b, beta: 1, c: ga)
            } else {
                // A stored [K, M]: dA[K, M] += op(B)[K, N] · dYᵀ
                BLAS.gemm(transA: transB, transB: true, m: k, n: m, k: n, a: b, b: gy, beta: 1, c: ga)
            }
        }
        if let gb {
            if !transB {
                // dB[K, N] += op(A)ᵀ · dY
                BLAS.gemm(transA: !transA, transB: false, m: k, n: n, k: m, a: a, b: gy, beta: 1, c: gb)
            } else {
                // B stored [N, K]: dB[N, K] += dYᵀ · op(A)
                BLAS.gemm(transA: true, transB: transA, m: n, n: k, k: m, a: gy, b: a, beta: 1, c: gb)
            }
        }
    }
}
