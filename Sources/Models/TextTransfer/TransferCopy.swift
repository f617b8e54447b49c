// A transfer that does not share its base's tensors starts from copies of their values: the fresh
// network lists its transferable parameters in the base's order, with the same names and shapes.

import Tensors

/// Copies `theirs` into `mine` tensor by tensor; a name or shape that differs is a programming error.
func copyValues(into mine: [Tensor], from theirs: [Tensor], model: String) {
    precondition(mine.count == theirs.count, "\(model) transfer: \(mine.count) parameters to fill from \(theirs.count)")
    for (m, t) in zip(mine, theirs) {
        precondition(m.name == t.name && m.shape == t.shape, "\(model) transfer: layouts differ at \(t.name)")
        m.copy(from: t)
    }
}
