// The mean of several embedding rows per item (VQ-Rec: an item is the mean of its D code rows),
//   y[r] = (1/D) Σ_m T[ids[r, m]]          T [N, C], ids [..., D] → y [..., C]
// Backward (sparse, as `embedding`):
//   dT[ids[r, m]] += dy[r] / D             except where ids[r, m] == paddingIndex
// A padding id still counts in the mean with its row's value (torch's `embedding(...).mean(-2)`,
// not EmbeddingBag, which would drop it from the count). One op instead of a [R, D, C] lookup and a
// mean over a middle axis: no D-times larger intermediate.

extension Graph {
    /// The mean of `table`'s rows [N, C] at each last-axis group of `ids` [..., D] → [..., C].
    /// Ids equal to `paddingIndex` are read and counted but pass no gradient.
    public func embeddingMean(_ table: Tensor, _ ids: IndexTensor, paddingIndex: Int? = 0) -> Tensor {
        precondition(table.shape.count == 2, "embeddingMean: table must be [N, C], got \(table.shape)")
        precondition(ids.shape.count >= 1 && ids.shape.last! >= 1, "embeddingMean: ids must be [..., D] with D ≥ 1, got \(ids.shape)")
        let rowsInTable = table.shape[0], c = table.shape[1], d = ids.shape.last!
        let groups = ids.count / d, inv = 1 / Float(d)
        let y = zeros(Array(ids.shape.dropLast()) + [c])
        let pt = table.pointer, py = y.pointer
        ids.values.withUnsafeBufferPointer { idp in
            for r in 0..<groups {
                let out = py + r * c
                for m in 0..<d {
                    let id = idp[r * d + m]
                    precondition(id >= 0 && Int(id) < rowsInTable, "embeddingMean: id \(id) outside the table's \(rowsInTable) rows")
                    let src = pt + Int(id) * c
                    for j in 0..<c { out[j] += src[j] }
                }
                for j in 0..<c { out[j] *= inv }
            }
        }
        if needsGradient(table) {
            let pad = Int32(paddingIndex ?? -1)
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gt = self.gradient(of: table)
                ids.values.withUnsafeBufferPointer { idp in
                    for r in 0..<groups {
                        let src = gy + r * c
                        for m in 0..<d where idp[r * d + m] != pad {
                            let dst = gt + Int(idp[r * d + m]) * c
                            for j in 0..<c { dst[j] += src[j] * inv }
                        }
                    }
                }
            }
        }
        return y
    }
}
