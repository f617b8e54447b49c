// `save(model, "name")`, `restore("name", data)` and `export(model, "file.safetensors" or "file.pth")`.
// A saved model is a trainer checkpoint (weights, frozen set, the state its family keeps beside
// them, optimizer moments, data position, random state, history, and a schedule driving it), plus
// what the model's family keeps in the language (`SavedFamilyState`: a text model's encoder and
// quantiser), stored as a safetensors artifact of the current run; a Conure learner is saved whole
// with every task. Checkpoints are self-contained: restoring needs only the data the model ranks,
// and `fit`, `evaluate`, `finetune`, `learn` continue exactly where the saved model stopped.
// `export` writes plain weights for other tools: safetensors, or a PyTorch state dict in SeqLab's
// layout or RecBole's (TorchCheckpoint.swift, RecBoleLayout.swift).

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
            Parameter("model", .oneOf([.object("Model"), .object("Conure")]), positional: true, help: "a neural model, or a Conure learner"),
            Parameter("name", .string, positional: true, help: "the checkpoint's name in the store"),
        ], help: "Saves a model's checkpoint (weights, optimizer, data position, random state; a Conure learner with every task) in the run store.") { args, interpreter in
            let data: Data
            let what: String
            if case .object(let c as ConureObject) = args.value("model") {
                data = ConureCheckpoint.encode(c.learner)
                what = c.learner.name
            } else {
                let m = try args.object("model", as: ModelObject.self)
                what = m.model.name
                guard let trainer = m.trainer else { throw args.error("model", "\(m.model.name) is a baseline; only neural models are saved") }
                let schedule: (any SavedTrainingSchedule)?
                switch m.schedule {
                case nil: schedule = nil
                case let saved as any SavedTrainingSchedule: schedule = saved
                case let other?:
                    // Refused here rather than at restore, where the afternoon's training would be lost.
                    throw args.error("model", "\(m.model.name) trains under a \(type(of: other)) schedule, which a checkpoint cannot hold; export(\(m.model.name), \"file.safetensors\") keeps its weights")
                }
                var sections = [workbenchSection(m)]
                if let state = m.familyState as? any SavedFamilyState { sections.append(state.checkpointSection) }
                data = TrainerCheckpoint.encode(trainer, schedule: schedule, sections: sections)
            }
            let name = try args.string("name")
            guard !name.isEmpty else { throw args.error("name", "the name must not be empty") }
            let s = try session(args, interpreter)
            do {
                try s.store.saveArtifact(s.runID, name: name, kind: "seqlab-checkpoint", data: data)
            } catch { throw args.error("\(error)") }
            interpreter.output("saved \(what) as \"\(name)\" in the run store (\(byteCount(data.count)); restore(\"\(name)\", split) reads it back)")
            return .none
        })

        register(BuiltinSpec("restore", topic: "models", parameters: [
            Parameter("name", .string, positional: true, help: "a name given to save (the latest save of it)"),
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or split) the model was trained on: it names the items"),
            Parameter("run", .integer, default: Value.none, help: "look only in this run (default: every run in the store)"),
        ], help: "Rebuilds a saved model (or Conure learner) from its checkpoint alone; fit continues exactly where the saved training stopped.") { args, interpreter in
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
            let source = "checkpoint '\(name)' (run \(artifact.info.run))"
            let isLearner = (try? SafetensorsFile(data: artifact.data, path: source))?.metadata["content"] == ConureCheckpoint.content
            if isLearner {
                let learner: ConureLearner
                do { learner = try ConureCheckpoint.decode(artifact.data, source: source) } catch { throw args.error("name", "\(error)") }
                let items = learner.conure.configuration.items - 1
                guard items == dataset.dataset.itemCount else {
                    throw args.error("data", "'\(name)' was built for \(items) items but \(dataset.dataset.name) has \(dataset.dataset.itemCount); give the dataset its task 1 was learned on")
                }
                return .object(ConureObject(learner, dataset: dataset))
            }
            let checkpoint: RestoredCheckpoint
            let familyState: (any SavedFamilyState)?
            do {
                checkpoint = try TrainerCheckpoint.restore(artifact.data, source: source)
                familyState = try savedFamilyStates.lazy.compactMap { try $0.restore(checkpoint) }.first
            } catch { throw args.error("name", "\(error)") }
            let trainer = checkpoint.trainer
            guard trainer.model.itemCount == dataset.dataset.itemCount else {
                throw args.error("data", "'\(name)' ranks \(trainer.model.itemCount) items but \(dataset.dataset.name) has \(dataset.dataset.itemCount); give the dataset it was trained on")
            }
            let savedWidth = checkpoint.file.metadata["workbench.width"].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
            let width = split?.split.maxLength ?? savedWidth ?? trainer.maxLength ?? 50
            let object = ModelObject(trainer.model, trainer: trainer, dataset: dataset, split: split, width: width)
            object.schedule = checkpoint.schedule
            object.familyState = familyState
            return .object(object)
        })

        register(BuiltinSpec("export", topic: "models", parameters: [
            Parameter("model", .object("Model"), positional: true, help: "a neural model"),
            Parameter("file", .string, positional: true, help: "the file to write (replaced atomically): .safetensors, or .pth for PyTorch's torch.load"),
            Parameter("layout", .string, default: .string("seqlab"),
                      help: "\"seqlab\" (SeqLab's parameter names and layouts) or \"recbole\" (RecBole 1.2.1's state dict: SASRec, GRU4Rec, nextitnet(variant: \"recbole\"), bert4rec(recbole: \"1.2.1\"); .pth only)"),
        ], help: "Writes the model's weights to a safetensors file (configuration in its metadata) or a PyTorch state dict (.pth), in SeqLab's layout or RecBole's.") { args, interpreter in
            let m = try args.object("model", as: ModelObject.self)
            guard let trainable = m.trainable else { throw args.error("model", "\(m.model.name) is a baseline and has no weights") }
            let file = try args.string("file")
            let layout = try args.string("layout", choices: ["seqlab", "recbole"])
            let torch = file.hasSuffix(".pth") || file.hasSuffix(".pt")
            guard torch || file.hasSuffix(".safetensors") else {
                throw args.error("file", "the file name should end in .safetensors or .pth (a PyTorch state dict)")
            }
            var tensors: [(name: String, value: SafetensorsValue)] = trainable.parameters.map { ($0.name, .float($0)) }
            if layout == "recbole" {
                guard torch else { throw args.error("file", "layout: \"recbole\" writes a PyTorch state dict; name a .pth file") }
                let kind = trainable.configurationEntries.first { $0.0 == "model" }?.1 ?? "?"
                if let family = RecBoleInterop.layouts.first(where: { $0.kind == kind }),
                   let reason = family.exportRefusal(trainable.configurationEntries) {
                    throw args.error("model", reason)
                }
                guard let recbole = RecBoleInterop.stateDict(of: trainable) else {
                    throw args.error("model", "RecBole has no model laid out as SeqLab's \(kind); layout: \"recbole\" takes \(RecBoleInterop.layouts.map { $0.kind }.joined(separator: ", "))")
                }
                tensors = recbole
            }
            do {
                if torch {
                    try TorchStateDictWriter.write(tensors, to: file)
                } else {
                    var metadata = ["format": "pt", "seqlab.model": trainable.architecture]
                    for (key, value) in trainable.configurationEntries { metadata["config." + key] = value }
                    try SafetensorsWriter.write(tensors, metadata: metadata, to: file)
                }
            } catch { throw args.error("file", error.localizedDescriptionWithoutPrefix) }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
            let what = torch ? (layout == "recbole" ? "a RecBole state dict: " : "a PyTorch state dict: ") : ""
            interpreter.output("wrote \(file) (\(what)\(tensors.count) tensors, \(groupedThousands(trainable.parameterCount)) parameters\(size.map { ", " + byteCount($0) } ?? ""))")
            return .none
        })
    }
}

/// What a model's family keeps in the language beside the model (`ModelObject.familyState`) and
/// saves in the model's checkpoint, so that a restored model behaves as the saved one.
protocol SavedFamilyState {
    /// The state as checkpoint entries, under a prefix of the family's own.
    var checkpointSection: CheckpointSection { get }
    /// The state `checkpoint` holds, or nil when it holds none of this kind.
    static func restore(_ checkpoint: RestoredCheckpoint) throws -> Self?
}

/// Every kind of family state a checkpoint may hold; restore asks each in turn. (Metatypes of a
/// non-Sendable protocol: the list itself never changes, which the compiler cannot see.)
nonisolated(unsafe) private let savedFamilyStates: [any SavedFamilyState.Type] = [TextTransferState.self]

/// The model object's own settings: the history width it scores with.
private func workbenchSection(_ m: ModelObject) -> CheckpointSection {
    var s = CheckpointSection()
    s.metadata["workbench.width"] = String(m.width)
    return s
}
