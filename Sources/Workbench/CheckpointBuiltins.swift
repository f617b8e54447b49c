// `save(model, "name")`, `restore("name", data)` and `export(model, "file.safetensors")`.
// A saved model is a trainer checkpoint (weights, optimizer moments, data position, random streams,
// history) stored as a safetensors artifact of the current run; restoring it and calling `fit`
// continues exactly where training stopped. `export` writes plain weights for other tools.

import Datasets
import Foundation
import Script
import Store
import Tensors
import Training

extension Registry {
    func registerCheckpoints() {
        func session(_ args: Arguments, _ interpreter: Interpreter) throws -> RunSession {
            guard let s = RunSession.of(interpreter) else {
                throw args.error("no run store is open in this session (start seqlab with --store PATH)")
            }
            return s
        }

        register(BuiltinSpec("save", topic: "models", parameters: [
            Parameter("model", .object("Model"), positional: true, help: "a neural model"),
            Parameter("name", .string, positional: true, help: "the checkpoint's name in the store"),
        ], help: "Saves a model's checkpoint (weights, optimizer, data position, random state) in the run store.") { args, interpreter in
            let m = try args.object("model", as: ModelObject.self)
            guard let trainer = m.trainer else { throw args.error("model", "\(m.model.name) is a baseline; only neural models are saved") }
            // Refused here rather than at restore, where the afternoon's training would be lost.
            let kind = trainer.model.configurationEntries.first { $0.0 == "model" }?.1 ?? "?"
            guard ModelCatalog.family(kind)?.restorable == true else {
                throw args.error("model", "\(m.model.name) is a \(kind) model, which restore cannot rebuild yet; export(\(m.model.name), \"file.safetensors\") keeps its weights")
            }
            let name = try args.string("name")
            guard !name.isEmpty else { throw args.error("name", "the name must not be empty") }
            let s = try session(args, interpreter)
            do {
                try s.store.saveArtifact(s.runID, name: name, kind: "seqlab-checkpoint", data: TrainerCheckpoint.encode(trainer))
            } catch { throw args.error("\(error)") }
            return .none
        })

        register(BuiltinSpec("restore", topic: "models", parameters: [
            Parameter("name", .string, positional: true, help: "a name given to save (the latest save of it)"),
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or split) the model was trained on: it names the items"),
            Parameter("run", .integer, default: Value.none, help: "look only in this run (default: every run in the store)"),
        ], help: "Rebuilds a saved model; fit continues exactly where the saved training stopped.") { args, interpreter in
            let s = try session(args, interpreter)
            let name = try args.string("name")
            let (dataset, split) = try datasetOrSplit(args, "data")
            let artifact: Artifact
            do {
                artifact = try s.store.loadArtifact(run: args.has("run") ? Int64(try args.int("run", min: 1)) : nil, name: name)
            } catch { throw args.error("name", "\(error)") }
            guard artifact.info.kind == "seqlab-checkpoint" else {
                throw args.error("name", "'\(name)' in run \(artifact.info.run) is a \(artifact.info.kind), not a model checkpoint")
            }
            let trainer: Trainer
            do {
                trainer = try TrainerCheckpoint.decode(artifact.data, source: "checkpoint '\(name)' (run \(artifact.info.run))") { entries, modelName, seed in
                    try ModelCatalog.build(entries, name: modelName, seed: seed)
                }
            } catch { throw args.error("name", "\(error)") }
            guard trainer.model.itemCount == dataset.dataset.itemCount else {
                throw args.error("data", "'\(name)' ranks \(trainer.model.itemCount) items but \(dataset.dataset.name) has \(dataset.dataset.itemCount); give the dataset it was trained on")
            }
            let width = split?.split.maxLength ?? trainer.maxLength ?? 50
            return .object(ModelObject(trainer.model, trainer: trainer, dataset: dataset, split: split, width: width))
        })

        register(BuiltinSpec("export", topic: "models", parameters: [
            Parameter("model", .object("Model"), positional: true, help: "a neural model"),
            Parameter("file", .string, positional: true, help: "the .safetensors file to write (replaced atomically)"),
        ], help: "Writes the model's weights (as it holds them) to a safetensors file, configuration in its metadata.") { args, _ in
            let m = try args.object("model", as: ModelObject.self)
            guard let trainable = m.trainable else { throw args.error("model", "\(m.model.name) is a baseline and has no weights") }
            let file = try args.string("file")
            guard file.hasSuffix(".safetensors") else { throw args.error("file", "the file name should end in .safetensors") }
            var metadata = ["format": "pt", "seqlab.model": trainable.architecture]
            for (key, value) in trainable.configurationEntries { metadata["config." + key] = value }
            do {
                try SafetensorsWriter.write(trainable.parameters.map { ($0.name, .float($0)) }, metadata: metadata, to: file)
            } catch { throw args.error("file", error.localizedDescriptionWithoutPrefix) }
            return .none
        })
    }
}
