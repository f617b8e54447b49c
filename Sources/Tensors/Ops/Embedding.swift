// Embedding lookup with a sparse gradient: only the rows that were looked up receive gradient, and
// the padding row never does (it stays as initialised, normally zero, as PyTorch's padding_idx).

extension Graph {
    /// Rows of `table` [N, C] at `ids` (any shape S) → [S..., C]. Ids equal to `paddingIndex`
    /// read their row but pass no gradient to it.
    public func embedding(_ table: Tensor, _ ids: IndexTensor, paddingIndex: Int? = 0) -> Tensor {
        precondition(table.shape.count == 2, "embedding: table must be [N, C], got \(table.shape)")
        let rowsInTable = table.shape[0], c = table.shape[1]
        let y = make(ids.shape + [c])
        let pt = table.pointer, py = y.pointer
        ids.values.withUnsafeBufferPointer { idp in
            for (i, id) in idp.enumerated() {
                precondition(id >= 0 && Int(id) < rowsInTable,
                             "embedding: id \(id) outside the table's \(rowsInTable) rows")
                (py + i * c).update(from: pt + Int(id) * c, count: c)
            }
        }
        if needsGradient(table) {
            let pad = Int32(paddingIndex ?? -1)
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gt = self.gradient(of: table)
                // scatter-add: dTable[id] += dY[i]
                ids.values.withUnsafeBufferPointer { idp in
                    for (i, id) in idp.enumerated() where id != pad {
                        let dst = gt + Int(id) * c, src = gy + i * c
                        for j in 0..<c { dst[j] += src[j] }
                    }
                }
            }
        }
        return y
    }
}
