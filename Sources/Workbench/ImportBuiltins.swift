// `importModel("file.pth", data)`: a model trained elsewhere, in the workbench. RecBole 1.2.1's
// checkpoints (what its trainer saves under saved/) carry their config, so the model and its sizes
// come from the file; a bare RecBole state dict says neither, so `model:` names the family and the
// sizes no tensor shows (heads, the longest history of a GRU) come from arguments. The items are
// RecBole's ids, which it numbers in order of first appearance in the .inter file, as SeqLab does:
// the data must be the dataset RecBole trained on, loaded from the same atomic files. A UniSRec
// checkpoint in the authors' layout transfers to the data's own text vectors instead (its item
// features; TextTransfer/UniSRecImport.swift).

import Datasets
import Foundation
import Script
import Tensors
import Training

extension Registry {
    func registerImports() {
        register(BuiltinSpec("importModel", topic: "models", parameters: [
            Parameter("file", .string, positional: true, help: "a PyTorch checkpoint (.pth): RecBole's trainer checkpoint, or a RecBole state dict"),
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset RecBole trained on (its ids are the model's), or a split of it"),
            Parameter("model", .string, default: Value.none, help: "the model a bare state dict holds: \"sasrec\", \"gru4rec\", \"nextitnet\" or \"bert4rec\" (RecBole 1.2.1's) or \"unisrec\" (the authors'); a checkpoint says it itself"),
            Parameter("mode", .string, default: Value.none, help: "UniSRec: \"inductive\" (items from their text alone; the default) or \"transductive\" (text + a fresh item table)"),
            Parameter("heads", .integer, default: .number(2), help: "attention heads of a bare SASRec, BERT4Rec or UniSRec state dict (its shapes do not show them)"),
            Parameter("maxLength", .integer, default: .number(50), help: "longest history of a bare GRU4Rec state dict"),
            Parameter("seed", .integer, default: Value.none, help: "seed of later training (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "how tables and the store call it (default: the family's name)"),
        ], help: "Builds a model from a PyTorch checkpoint of RecBole 1.2.1 (SASRec, GRU4Rec, its NextItNet and BERT4Rec) or of the authors' UniSRec: sizes from its config, every weight checked and copied.") { args, interpreter in
            let file = try args.string("file")
            let (dataset, split) = try datasetOrSplit(args, "data")
            var defaults = RecBoleDefaults()
            defaults.heads = try args.int("heads", min: 1, max: 64)
            defaults.maxLength = try args.int("maxLength", min: 1, max: 100_000)
            let model = args.has("model") ? try args.string("model") : nil
            if let model, RecBoleInterop.layout(model) == nil, model.lowercased() != "unisrec" {
                throw args.error("model", "SeqLab imports \((RecBoleInterop.layouts.map { $0.recboleModel.lowercased() } + ["unisrec"]).map { "\"\($0)\"" }.joined(separator: ", ")), not \"\(model)\"")
            }
            let seed = try modelSeed(args, interpreter)
            let checkpoint: TorchCheckpoint
            do { checkpoint = try TorchCheckpoint(contentsOf: file) } catch { throw args.error("file", error.localizedDescriptionWithoutPrefix) }
            let name = args.has("name") ? try args.modelName(default: "") : nil
            if model?.lowercased() == "unisrec" || (model == nil && holdsAuthorsUniSRec(checkpoint)) {
                return try importUniSRec(args, interpreter, checkpoint: checkpoint, dataset: dataset, split: split, seed: seed, name: name)
            }
            if args.has("mode") { throw args.error("mode", "mode: applies to UniSRec checkpoints; \(file) holds a RecBole model") }
            let imported: ImportedModel
            do {
                imported = try RecBoleInterop.importModel(checkpoint, model: model, defaults: defaults, name: name, seed: seed)
            } catch { throw args.error("file", error.localizedDescriptionWithoutPrefix) }
            let trained = imported.model
            let trainer = Trainer(model: trained, seed: seed)
            guard trained.itemCount == dataset.dataset.itemCount else {
                throw args.error("data", "\(file) ranks \(trained.itemCount) items but \(dataset.dataset.name) has \(dataset.dataset.itemCount); give the dataset RecBole trained on, read from the same atomic files")
            }
            let width = split?.split.maxLength ?? trainer.maxLength ?? 50
            interpreter.output("imported \(trained.name) from \(imported.source): \(trained.architecture)")
            return .object(ModelObject(trained, trainer: trainer, dataset: dataset, split: split, width: width))
        })
    }
}
