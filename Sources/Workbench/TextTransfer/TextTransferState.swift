// What a text-based model (UniSRec, VQ-Rec) keeps beside it in the language: how item text became
// vectors, and for VQ-Rec the quantiser that turned them into codes. Fine-tuned copies and the
// domains a model pretrains on are encoded (and quantised) the same way, so their inputs mean what
// the model learned. Kept in the model object's opaque `familyState`.

import Quantization

/// The text side of a UniSRec or VQ-Rec model.
struct TextTransferState {
    /// How item text becomes vectors.
    let encoding: TextEncoding
    /// The quantiser that gave a VQ-Rec model its item codes (nil for UniSRec).
    let quantizer: VQRecQuantizer?
}

extension ModelObject {
    /// The text encoding of a text-based model, or nil.
    var textEncoding: TextEncoding? { (familyState as? TextTransferState)?.encoding }
    /// The quantiser of a VQ-Rec model, or nil.
    var quantizer: VQRecQuantizer? { (familyState as? TextTransferState)?.quantizer }
}
