// RecBole 1.0.1's Cloze corruption for BERT4Rec (`reconstruct_train_data`; reference/text-models.md §2):
//   for each row, walk its positions from the left until the first padding id; each position is,
//   independently with probability mask_ratio, replaced by the mask token (always the mask token:
//   no 80/10/10 rule) and its original item becomes a target;
//   the list of masked positions is left-padded with 0 to mask_item_length = int(ratio · maxLength)
//   slots and only the LAST mask_item_length are kept (`_padding_sequence`), so a row with more
//   masks still has all of them in its input but predicts only the most recent ones;
//   the loss counts a slot only where `masked_index > 0`, so a mask at position 0 stays in the
//   input but is never predicted (a quirk of the reference, kept on purpose).
// Draws: one `nextDouble()` per real position, rows in order, positions left to right (Python's
// `random.random()` in the same order). GRec's `ClozeMasking` is a different rule (a fixed count per
// row, 80/10/10), so it is not reused; only its result type is.

import Tensors

/// RecBole 1.0.1's masking of item sequences for BERT4Rec.
public struct BERT4RecMasking: Sendable, Equatable {
    /// Probability that a real position is masked (mask_ratio).
    public var ratio: Double
    /// Masked positions per row that can be predicted, the most recent kept (mask_item_length).
    public var maxPredictions: Int

    /// A masking rule; `maxPredictions` is RecBole's int(ratio · maxLength).
    public init(ratio: Double, maxPredictions: Int) {
        precondition(ratio > 0 && ratio <= 1, "BERT4RecMasking: ratio must be in (0, 1], got \(ratio)")
        precondition(maxPredictions >= 1, "BERT4RecMasking: maxPredictions must be at least 1")
        self.ratio = ratio
        self.maxPredictions = maxPredictions
    }

    /// The rule of `configuration`.
    public init(_ configuration: BERT4RecConfiguration) {
        self.init(ratio: configuration.maskRatio, maxPredictions: configuration.maxPredictions)
    }

    /// Masks left-aligned `sequences` [B, L] (0 = padding) with draws from `rng`: inputs [B, L] with
    /// mask tokens, and the flat positions b · L + t (ascending) and original ids [M] that the loss
    /// predicts. M may be 0.
    public func apply(_ sequences: IndexTensor, maskToken: Int32, rng: inout RandomStream) -> MaskedSequences {
        precondition(sequences.shape.count == 2, "BERT4RecMasking: sequences must be [B, L], got \(sequences.shape)")
        let (b, l) = (sequences.shape[0], sequences.shape[1])
        var inputs = sequences.values
        var positions: [Int] = [], targets: [Int32] = []
        var masked: [Int] = []
        for r in 0..<b {
            masked.removeAll(keepingCapacity: true)
            for t in 0..<l {
                let flat = r * l + t
                if sequences.values[flat] == 0 { break }
                if rng.nextDouble() < ratio {
                    inputs[flat] = maskToken
                    masked.append(t)
                }
            }
            for t in masked.suffix(maxPredictions) where t > 0 {
                positions.append(r * l + t)
                targets.append(sequences.values[r * l + t])
            }
        }
        return MaskedSequences(inputs: IndexTensor(shape: [b, l], values: inputs), positions: positions,
                               targets: IndexTensor(targets))
    }
}
