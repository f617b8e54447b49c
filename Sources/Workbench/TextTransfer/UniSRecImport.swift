// `importModel` of a UniSRec checkpoint in the authors' layout (their released
// `UniSRec-FHCKM-300.pth`, or a bare state dict of theirs): the adaptor and the encoder come from
// the file, the item side from the data's own text vectors (its item features, e.g. a pre-split
// benchmark's .feat1CLS), as the authors' finetune.py transfers it (UniSRecAuthorsLayout.swift).

import Datasets
import Models
import Script
import Tensors
import Training

/// Whether `checkpoint` is a RecBole trainer checkpoint whose config names UniSRec.
func holdsAuthorsUniSRec(_ checkpoint: TorchCheckpoint) -> Bool {
    // A damaged config is not decided here: the import that follows reports it.
    do { return try RecBoleTrainerCheckpoint(checkpoint)?.config?.string("model") == "UniSRec" } catch { return false }
}

/// The UniSRec in `checkpoint` over `dataset`'s item features, in the `mode:` argument's mode.
func importUniSRec(_ args: Arguments, _ interpreter: Interpreter, checkpoint: TorchCheckpoint, dataset: DatasetObject,
                   split: SplitObject?, seed: Seed, name: String?) throws -> Value {
    guard let features = dataset.dataset.itemFeatures else {
        throw args.error("data", "\(dataset.dataset.name) has no item features; UniSRec reads the text vectors it was trained with (a pre-split benchmark's .feat1CLS, loaded with format: \"presplit\")")
    }
    let mode = args.has("mode") ? UniSRecMode(rawValue: try args.string("mode", choices: UniSRecMode.allCases.map(\.rawValue)))! : .inductive
    let imported: ImportedModel
    do {
        imported = try UniSRecAuthorsLayout.importModel(checkpoint, features: features, mode: mode, heads: try args.int("heads", min: 1, max: 64),
                                                        name: name ?? "unisrec", seed: seed)
    } catch { throw args.error("file", error.localizedDescriptionWithoutPrefix) }
    let model = imported.model
    let trainer = Trainer(model: model, seed: seed)
    let object = ModelObject(model, trainer: trainer, dataset: dataset, split: split,
                             width: split?.split.maxLength ?? trainer.maxLength ?? 50)
    object.familyState = TextTransferState(encoding: TextEncoding(kind: .features, columns: nil, tfidfWidth: 64, seed: interpreter.seed),
                                           quantizer: nil)
    interpreter.output("imported \(model.name) from \(imported.source): \(model.architecture)")
    return .object(object)
}
