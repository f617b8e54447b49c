// Helpers the trainer tests share: copying weights out, and a checkpoint round trip in memory.

import Tensors
@testable import Training

/// A copy of every parameter's values, for bit-for-bit comparisons.
func weights(_ model: TrainableRecommender) -> [[Float]] {
    model.parameters.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
}

/// `trainer` written to checkpoint bytes and read back into a freshly built model.
func roundTrip(_ trainer: Trainer) throws -> Trainer {
    try TrainerCheckpoint.decode(TrainerCheckpoint.encode(trainer), source: "test checkpoint")
}

/// The options of the small trainer tests on the toy world: `epochs` epochs of batches of 32 at
/// learning rate 3e-3.
func smallOptions(epochs: Int) -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = epochs
    o.batchSize = 32
    o.learningRate = 3e-3
    return o
}
