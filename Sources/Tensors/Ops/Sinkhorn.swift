// Sinkhorn normalisation in log space (Mena et al.'s Gumbel–Sinkhorn; VQ-Rec's
// `sinkhorn_sorting_operator`): alternately make every row, then every column, of each matrix sum
// to one, working on log values so nothing overflows, and return the matrices themselves:
//   r ← r − logsumexp_j r[g, i, j]   (rows)      r ← r − logsumexp_i r[g, i, j]   (columns)
//   repeated `iterations` times, P = exp(r)                  x [G, n, n] → P [G, n, n]
// Backward through each half-step y = x − lse_axis(x) (a log-softmax along that axis):
//   dx = dy − exp(y) · Σ_axis dy
// and through the final exp: dr = dP ⊙ P. Every half-step's output is kept for the backward pass
// (2·iterations tensors of G·n·n; a handful of megabytes at VQ-Rec's 32 × 257 × 257).

import Foundation

extension Graph {
    /// exp of `iterations` rounds of row-then-column log-normalisation of each matrix of
    /// x [G, n, m] → [G, n, m] (doubly stochastic in the limit when n == m).
    public func sinkhorn(_ x: Tensor, iterations: Int) -> Tensor {
        precondition(x.shape.count == 3, "sinkhorn: x must be [G, n, m], got \(x.shape)")
        precondition(iterations >= 1, "sinkhorn: needs at least one iteration, got \(iterations)")
        let (groups, n, m) = (x.shape[0], x.shape[1], x.shape[2])
        // steps[0] = x; steps[2t + 1] after the row step, steps[2t + 2] after the column step.
        var steps: [Tensor] = [x]
        for t in 0..<(2 * iterations) {
            let y = make(x.shape)
            y.pointer.update(from: steps.last!.pointer, count: x.count)
            Self.logNormalise(y.pointer, groups: groups, n: n, m: m, rows: t % 2 == 0)
            steps.append(y)
        }
        let p = make(x.shape)
        let last = steps.last!.pointer
        for i in 0..<x.count { p.pointer[i] = exp(last[i]) }
        if needsGradient(x) {
            record(p) { [unowned self] in
                guard let gp = p.grad?.pointer else { return }
                let count = x.count
                // dr = dP ⊙ P, then back through the half-steps, last first.
                let g = UnsafeMutablePointer<Float>.allocate(capacity: count)
                defer { g.deallocate() }
                for i in 0..<count { g[i] = gp[i] * p.pointer[i] }
                for t in stride(from: 2 * iterations - 1, through: 0, by: -1) {
                    Self.logNormaliseBackward(g, output: steps[t + 1].pointer, groups: groups, n: n, m: m, rows: t % 2 == 0)
                }
                let gx = self.gradient(of: x)
                for i in 0..<count { gx[i] += g[i] }
            }
        }
        return p
    }

    /// In place: subtract from each row (`rows`) or each column its log-sum-exp.
    private static func logNormalise(_ r: UnsafeMutablePointer<Float>, groups: Int, n: Int, m: Int, rows: Bool) {
        for gIndex in 0..<groups {
            let base = r + gIndex * n * m
            if rows {
                for i in 0..<n {
                    let row = base + i * m
                    let lse = logSumExp(row, m)
                    for j in 0..<m { row[j] -= lse }
                }
            } else {
                for j in 0..<m {
                    var top = -Float.infinity
                    for i in 0..<n { top = max(top, base[i * m + j]) }
                    var sum: Float = 0
                    for i in 0..<n { sum += exp(base[i * m + j] - top) }
                    let lse = top + log(sum)
                    for i in 0..<n { base[i * m + j] -= lse }
                }
            }
        }
    }

    /// In place: the gradient g of a half-step's output y becomes the gradient of its input,
    /// g − exp(y) · Σ_axis g along the axis that step normalised.
    private static func logNormaliseBackward(_ g: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>,
                                             groups: Int, n: Int, m: Int, rows: Bool) {
        for gIndex in 0..<groups {
            let gb = g + gIndex * n * m, yb = y + gIndex * n * m
            if rows {
                for i in 0..<n {
                    var sum: Float = 0
                    for j in 0..<m { sum += gb[i * m + j] }
                    for j in 0..<m { gb[i * m + j] -= exp(yb[i * m + j]) * sum }
                }
            } else {
                for j in 0..<m {
                    var sum: Float = 0
                    for i in 0..<n { sum += gb[i * m + j] }
                    for i in 0..<n { gb[i * m + j] -= exp(yb[i * m + j]) * sum }
                }
            }
        }
    }
}
