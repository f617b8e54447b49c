// What the trainer needs from a model beyond scoring: its parameters, the loss of one batch, and
// the kind of training rows it learns from. The trainer owns the loop, the optimizer, the data
// order, validation and checkpoints; a model only says how one batch becomes a loss.

import Datasets
import Tensors

/// A recommender that the `Trainer` can fit by gradient descent.
public protocol TrainableRecommender: Recommender {
    /// Every parameter in a fixed order (checkpoints store them by name in this order).
    var parameters: [Tensor] { get }
    /// The training rows it learns from: `.sequence` (every position predicts the next item) or
    /// `.prefix` (one prediction per row). The trainer converts prefix rows to windows when asked.
    var trainingRowKind: RowKind { get }
    /// The mean loss of one batch. Random draws (negatives, masks, dropout) come from `rng`, which
    /// the trainer owns and checkpoints.
    func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor
    /// A one-line description of the architecture and its sizes, for summaries and run records.
    var architecture: String { get }
    /// The hyperparameters that rebuild the model, as ordered (key, value) pairs for checkpoints.
    var configurationEntries: [(String, String)] { get }
}

extension TrainableRecommender {
    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }
}

/// Index matrices cut from a batch: the first `width` columns of each of its `count` rows.
func leadingColumns(_ values: [Int32], batch: Batch, width: Int) -> IndexTensor {
    var out = [Int32](repeating: 0, count: batch.count * width)
    for b in 0..<batch.count {
        for c in 0..<width { out[b * width + c] = values[b * batch.width + c] }
    }
    return IndexTensor(shape: [batch.count, width], values: out)
}

/// A model whose items have learned vectors (rows indexed by item id, row 0 = padding).
public protocol ItemEmbeddingModel {
    /// [rows, C] with rows ≥ itemCount + 1 (input-only tokens such as a mask may follow the items).
    var itemEmbeddings: Tensor { get }
    /// The item vectors of the output layer as [N, C] (row per id), when the model has its own
    /// (NextItNet's softmax weights); nil when input and output share one table.
    var outputEmbeddings: Tensor? { get }
}

extension NextItNetRecommender: ItemEmbeddingModel {
    public var itemEmbeddings: Tensor { network.embedding }
    public var outputEmbeddings: Tensor? { transposed(network.outputWeight) }
}

extension GRecRecommender: ItemEmbeddingModel {
    public var itemEmbeddings: Tensor { grec.network.embedding }
    public var outputEmbeddings: Tensor? { transposed(grec.network.outputWeight) }
}

/// A copy of a [C, N] matrix as [N, C].
func transposed(_ w: Tensor) -> Tensor {
    let c = w.shape[0], n = w.shape[1]
    let t = Tensor(zeros: [n, c], name: w.name + ".T")
    for i in 0..<c { for j in 0..<n { t.pointer[j * c + i] = w.pointer[i * n + j] } }
    return t
}
