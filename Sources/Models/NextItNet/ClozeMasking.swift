// The masked-item ("cloze") corruption of GRec's encoder pretraining (reference/yuan-models.md §3.1,
// BERT's `create_masked_lm_predictions` as PeterRec's `GRec_TF_Pretrain*.py` use it):
//   per row, num = min(maxPredictions, max(1, round(n · probability))) positions chosen uniformly
//   without replacement; each chosen id becomes the mask token with probability 0.8, a uniformly
//   random item with 0.1, and stays with 0.1; the model must predict the original ids there.
//
// Our choices where the reference does not carry over (documented in `ClozeMasking`): n counts the
// row's non-padding positions and only those are eligible (the reference pads with an ordinary
// vocabulary token, so its padding is eligible; ours is id 0, whose target would be ignored anyway),
// rounding is half away from zero (Python 2's `round`, which the Py2.7 reference ran on), and the
// mask token is a dedicated input-only id N rather than id 0, because id 0 is our padding.

import Tensors

/// The rows after masking: model inputs, and where and what to predict.
public struct MaskedSequences: Sendable, Equatable {
    /// Corrupted ids [B, L] fed to the encoder.
    public var inputs: IndexTensor
    /// Flat positions b · L + t of the predicted slots, ascending.
    public var positions: [Int]
    /// The original ids at `positions` [M].
    public var targets: IndexTensor
}

/// BERT-style masking of item sequences for GRec's encoder objective.
///
/// Departures from the TF reference: only non-padding positions are eligible and counted, and the
/// mask token is the dedicated id `items` (the reference reuses id 0 = `<UNK>`, which is padding here).
public struct ClozeMasking: Sendable, Equatable {
    /// Fraction of a row's items to predict (masked_lm_prob, 0.3 in the reference).
    public var probability: Double
    /// Upper bound on predictions per row (max_predictions_per_seq, 30).
    public var maxPredictions: Int
    /// Of the chosen positions, the share replaced by the mask token (0.8).
    public var maskShare: Double
    /// Of the chosen positions, the share replaced by a random item (0.1); the rest stay unchanged.
    public var randomShare: Double

    /// The reference's settings unless given.
    public init(probability: Double = 0.3, maxPredictions: Int = 30, maskShare: Double = 0.8, randomShare: Double = 0.1) {
        precondition(probability > 0 && probability <= 1, "masking probability must be in (0, 1]")
        precondition(maxPredictions >= 1, "maxPredictions must be at least 1")
        precondition(maskShare >= 0 && randomShare >= 0 && maskShare + randomShare <= 1,
                     "mask and random shares must be non-negative and sum to at most 1")
        self.probability = probability
        self.maxPredictions = maxPredictions
        self.maskShare = maskShare
        self.randomShare = randomShare
    }

    /// Masks `sequences` [B, L] (ids in 0..<items, 0 = padding) with draws from `rng`.
    public func apply(_ sequences: IndexTensor, items: Int, maskToken: Int32, rng: inout RandomStream) -> MaskedSequences {
        precondition(sequences.shape.count == 2, "ClozeMasking: sequences must be [B, L], got \(sequences.shape)")
        precondition(items >= 2, "ClozeMasking: need at least one item besides padding")
        let (b, l) = (sequences.shape[0], sequences.shape[1])
        var inputs = sequences.values
        var positions: [Int] = [], targets: [Int32] = []
        var eligible: [Int] = []
        eligible.reserveCapacity(l)
        for r in 0..<b {
            eligible.removeAll(keepingCapacity: true)
            for t in 0..<l where sequences.values[r * l + t] != 0 { eligible.append(t) }
            guard !eligible.isEmpty else { continue }
            let wanted = Int((Double(eligible.count) * probability).rounded(.toNearestOrAwayFromZero))
            let count = min(maxPredictions, max(1, wanted), eligible.count)
            // Partial Fisher–Yates: the first `count` entries become a uniform sample without replacement.
            for i in 0..<count { eligible.swapAt(i, i + rng.int(below: eligible.count - i)) }
            for t in eligible[0..<count].sorted() {
                let flat = r * l + t
                positions.append(flat)
                targets.append(sequences.values[flat])
                let u = rng.nextDouble()
                if u < maskShare {
                    inputs[flat] = maskToken
                } else if u < maskShare + randomShare {
                    inputs[flat] = Int32(1 + rng.int(below: items - 1))
                }
            }
        }
        return MaskedSequences(inputs: IndexTensor(shape: [b, l], values: inputs), positions: positions,
                               targets: IndexTensor(targets))
    }
}
