// `peterrec(base, task, ...)` and `finetune(base, task, mode: ...)`: a pretrained NextItNet or
// GRec moved to a transfer task (attributeTask, domainTask, finetuneTask). The result is a model
// like any other: `fit(task)`, `evaluate(task.test)`, `compare`, `classify`, `summary()` (which
// shows what is trained and what is frozen).

import Datasets
import Models
import Script
import Tensors
import Training

extension PeterRecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        let common = [
            Parameter("base", .object("Model"), positional: true, help: "a pretrained nextitnet(...) or grec(...) model"),
            Parameter("task", .object("Split"), positional: true, help: "a transfer task: attributeTask(...), domainTask(...) or finetuneTask(...)"),
            Parameter("loss", .string, default: Value.none, help: "\"bce\" (one uniform negative), \"bpr\" (LambdaFM negative) or \"softmax\"; default softmax for classes, bce for items"),
            Parameter("l2", .number, default: .number(0.02), help: "L2 coefficient λ of the target head (adds λ/2·‖E_t‖² every step)"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation and training seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "the name in tables"),
        ]
        registry.register(BuiltinSpec("peterrec", topic: "transfer", parameters: common + [
            Parameter("insertion", .string, default: .string("serial"), help: "\"serial\" (a patch after each convolution) or \"parallel\" (beside it)"),
            Parameter("patch", .integer, default: Value.none, help: "patch width (default channels / 4)"),
        ], help: "PeterRec: the base frozen, small patches in every block plus the second layer norms and a new head trained.") { args, interpreter in
            let insertion = PatchInsertion(rawValue: try args.string("insertion", choices: PatchInsertion.allCases.map(\.rawValue)))!
            return try makeTransfer(args, interpreter, mode: .peterrec(insertion), defaultName: "peterrec-\(insertion.rawValue)")
        })
        registry.register(BuiltinSpec("finetune", topic: "transfer", parameters: common + [
            Parameter("mode", .string, default: .string("all"), help: "\"all\" (everything from the pretrained weights), \"head\" (the new head only) or \"scratch\" (everything, fresh weights)"),
        ], help: "The baselines PeterRec is compared with: fine-tune everything, the head only, or train from scratch.") { args, interpreter in
            let mode: TransferMode
            switch try args.string("mode", choices: ["all", "head", "scratch"]) {
            case "all": mode = .all
            case "head": mode = .head
            default: mode = .scratch
            }
            return try makeTransfer(args, interpreter, mode: mode, defaultName: mode.description)
        })
    }
}

/// Builds a transfer model from the arguments both builtins share.
private func makeTransfer(_ args: Arguments, _ interpreter: Interpreter, mode: TransferMode, defaultName: String) throws -> Value {
    let base = try args.object("base", as: ModelObject.self)
    let network: NextItNet
    switch base.model {
    case let n as NextItNetRecommender: network = n.network
    case let g as GRecRecommender: network = g.grec.network
    default: throw args.error("base", "\(base.model.name) is not a NextItNet or GRec model; PeterRec transfers nextitnet(...) or grec(...)")
    }
    let taskSplit = try args.object("task", as: SplitObject.self)
    guard let (task, histories) = taskSplit.transfer else {
        throw args.error("task", "this split is not a transfer task; make one with attributeTask(...), domainTask(...) or finetuneTask(...)")
    }
    guard histories.dataset.fingerprint == base.dataset.dataset.fingerprint else {
        throw args.error("task", "the task's histories are items of \(histories.dataset.name) but \(base.model.name) was trained on \(base.dataset.dataset.name); item ids would not line up")
    }
    if let trainer = base.trainer, trainer.history.isEmpty {
        interpreter.diagnostics("warning: \(base.model.name) has not been trained: the transfer starts from random weights")
    }
    let loss: TransferLoss
    if args.has("loss") {
        loss = TransferLoss(rawValue: try args.string("loss", choices: TransferLoss.allCases.map(\.rawValue)))!
    } else {
        loss = task.kind == .classes ? .softmax : .bce
    }
    let channels = network.configuration.channels
    var patch = max(1, channels / 4)
    if case .peterrec = mode, args.has("patch") { patch = try args.int("patch", min: 1, max: 4096) }
    let seed = try modelSeed(args, interpreter)
    let name = try args.modelName(default: defaultName)
    let model = try args.rethrowing {
        try TransferRecommender(base: network, task: task, mode: mode, patchHidden: patch, loss: loss,
                                headL2: Float(try args.number("l2", min: 0)), seed: seed, name: name)
    }
    return .object(ModelObject(model, trainer: Trainer(model: model, seed: seed), dataset: taskSplit.source, split: nil,
                               width: task.split.maxLength))
}
