// RecBole 1.2.1's checkpoints in and out. A family that RecBole builds exactly as SeqLab does
// (SASRec, GRU4Rec, and the RecBole variants of NextItNet and BERT4Rec) states once, in its
// folder, how its parameters are named and laid out in RecBole's state dict (`RecBoleLayout`) and
// how RecBole's configuration gives its sizes. This file
// reads a checkpoint RecBole's trainer saved (`{'config', 'epoch', 'state_dict', ...}`, the config a
// pickled `recbole.config.Config` read as an inert record) or a bare state dict, builds the model
// through the family's own checkpoint path (ModelCatalog), and copies every tensor in, strictly: a
// missing, extra or misshapen tensor is an error naming it. Writing is the same map the other way.
//
// RecBole's NextItNet is not the authors' model and its BERT4Rec (1.2.1) not RecBole 1.0.1's, so
// they are SeqLab's `nextitnet(variant: "recbole")` and `bert4rec(recbole: "1.2.1")`; a model of
// the other kind is refused on export with the reason (`exportRefusal`; Docs/fidelity.md).

import Datasets
import Models
import Tensors

/// How one family's parameters appear in RecBole's state dict, and how RecBole's config sizes it.
public protocol RecBoleLayout: TrainerModelFamily {
    /// The model's name in RecBole (`config['model']`).
    static var recboleModel: String { get }
    /// The RecBole name of the SeqLab parameter `name`, and whether RecBole stores it transposed
    /// (PyTorch's Linear keeps [out, in]); nil for a parameter RecBole does not have.
    static func recboleName(of name: String) -> (name: String, transposed: Bool)?
    /// The family's configuration entries (without "model") for a RecBole checkpoint: its config
    /// (nil for a bare state dict, when the sizes come from the tensors' shapes and `defaults`).
    static func entries(config: RecBoleConfig?, shapes: [String: [Int]], defaults: RecBoleDefaults) throws -> [(String, String)]
    /// Where RecBole's state dict puts the tensor `name` (its modules in registration order), as a
    /// sort key; tensors with equal keys keep SeqLab's order.
    static func recboleOrder(_ name: String) -> Int
    /// Whether SeqLab's parameter `name` is a convolution weight [k, C_in, C_out] that RecBole keeps
    /// as a Conv2d weight [C_out, C_in, 1, k] (its `transposed` is then ignored).
    static func isConvolution(_ name: String) -> Bool
    /// Why a model of this family with configuration `entries` has no RecBole state dict (a variant
    /// RecBole does not build), or nil.
    static func exportRefusal(_ entries: [(String, String)]) -> String?
}

/// `values` [rows, columns] written transposed into `out` [columns, rows]: PyTorch's Linear keeps
/// its weight [out, in], SeqLab [in, out].
func transpose(_ values: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = values[r * columns + c] } }
}

/// SeqLab's convolution weight [k, I, O] from RecBole's Conv2d weight [O, I, 1, k], or back.
func convolutionLayout(_ values: UnsafePointer<Float>, kernel k: Int, inputs i: Int, outputs o: Int, toSeqLab: Bool,
                       into out: UnsafeMutablePointer<Float>) {
    for j in 0..<k { for a in 0..<i { for b in 0..<o {
        let seqlab = (j * i + a) * o + b, recbole = (b * i + a) * k + j
        if toSeqLab { out[seqlab] = values[recbole] } else { out[recbole] = values[seqlab] }
    } } }
}

/// What a bare state dict cannot say and the user may: sizes that no tensor's shape shows.
public struct RecBoleDefaults: Sendable {
    /// Attention heads of a transformer (RecBole's default 2).
    public var heads: Int = 2
    /// The longest history read, where no position table shows it (RecBole's default 50).
    public var maxLength: Int = 50
    /// A default set.
    public init() {}
}

/// RecBole's final configuration, read from the pickled `Config`.
public struct RecBoleConfig {
    private let checkpoint: TorchCheckpoint
    private let values: PickleDict

    init(_ checkpoint: TorchCheckpoint, _ values: PickleDict) {
        self.checkpoint = checkpoint
        self.values = values
    }

    /// The text `key`, or nil when absent or not text.
    public func string(_ key: String) -> String? {
        if case .string(let s)? = values[key] { return s }
        return nil
    }

    /// The integer `key`.
    public func int(_ key: String) throws -> Int {
        guard case .int(let n)? = values[key], let v = Int(exactly: n) else { throw missing(key, "an integer") }
        return v
    }

    /// The number `key` (an integer or a float).
    public func double(_ key: String) throws -> Double {
        switch values[key] {
        case .float(let x)?: return x
        case .int(let n)?: return Double(n)
        default: throw missing(key, "a number")
        }
    }

    /// The integer list `key` (a list or tuple of integers).
    public func ints(_ key: String) throws -> [Int] {
        guard let value = values[key], let items = checkpoint.pickle.elements(value) else { throw missing(key, "a list of integers") }
        return try items.map { item -> Int in
            guard case .int(let n) = item, let v = Int(exactly: n) else { throw missing(key, "a list of integers") }
            return v
        }
    }

    private func missing(_ key: String, _ what: String) -> TrainingError {
        let found = values[key].map { checkpoint.describe($0) } ?? "nothing"
        return TrainingError("\(checkpoint.path): the RecBole config's '\(key)' should be \(what) but is \(found)")
    }
}

/// A checkpoint RecBole's trainer saved, `{'config', 'epoch', 'state_dict', ...}`, taken apart.
public struct RecBoleTrainerCheckpoint {
    /// The state dict.
    public let stateDict: PickleValue
    /// The final configuration, or nil when the dict has no `config`.
    public let config: RecBoleConfig?
    /// The epoch it was saved after, when it says.
    public let epoch: Int64?

    /// The parts of `checkpoint` when its root is such a dict (nil otherwise); a `config` that is not
    /// a pickled RecBole Config with a `final_config_dict` (its `__dict__`) is an error.
    public init?(_ checkpoint: TorchCheckpoint) throws {
        let p = checkpoint.pickle
        guard let root = p.dict(p.root), let state = root["state_dict"] else { return nil }
        stateDict = state
        if case .int(let e)? = root["epoch"] { epoch = e } else { epoch = nil }
        guard let configValue = root["config"] else {
            config = nil
            return
        }
        guard let object = p.object(configValue), let fields = object.state.flatMap({ p.dict($0) }),
              let finalValue = fields["final_config_dict"], let final = p.dict(finalValue) else {
            throw TrainingError("\(checkpoint.path): the checkpoint's config is \(checkpoint.describe(configValue)), not a RecBole Config with a final_config_dict")
        }
        config = RecBoleConfig(checkpoint, final)
    }
}

/// A model read from a PyTorch checkpoint, with what the checkpoint said about it.
public struct ImportedModel {
    /// The model, its weights those of the checkpoint.
    public let model: TrainableRecommender
    /// "RecBole SASRec checkpoint (epoch 0)", "RecBole-layout state dict", for messages.
    public let source: String
}

/// Checks the sizes a config gives against the tensors' shapes before a model of those sizes is
/// built: the config is a few bytes of the file, the model it describes could be gigabytes, and the
/// tensors are what the file really holds. A transformer's layers are counted from the layer keys.
func requireShapes(_ checks: [(what: String, value: Int, tensor: String, dimension: Int)], layers: (value: Int, prefix: String)? = nil,
                   _ shapes: [String: [Int]]) throws {
    for c in checks {
        guard let shape = shapes[c.tensor], c.dimension < shape.count else {
            throw TrainingError("the state dict has no \(c.tensor) to check the config's \(c.what) (\(c.value)) against")
        }
        guard shape[c.dimension] == c.value else {
            throw TrainingError("the config's \(c.what) is \(c.value) but the state dict's \(c.tensor) is \(shape)")
        }
    }
    if let layers {
        let found = layerCount(layers.prefix, shapes)
        guard found == layers.value else { throw TrainingError("the config has \(layers.value) layers but the state dict \(found)") }
    }
}

/// Checks that a RecBole transformer's config has what SeqLab's layers compute: exact-erf GELU
/// and a layer-norm epsilon of 1e-12 (RecBole's defaults); `model` names it in messages.
func requireTransformerDefaults(_ config: RecBoleConfig, model: String) throws {
    if let act = config.string("hidden_act"), act != "gelu" {
        throw TrainingError("the RecBole \(model) uses hidden_act '\(act)'; SeqLab's \(model) has RecBole's default, gelu (exact erf)")
    }
    let eps = try config.double("layer_norm_eps")
    guard abs(eps - 1e-12) <= 1e-18 else {
        throw TrainingError("the RecBole \(model) uses layer_norm_eps \(eps); SeqLab's \(model) has RecBole's default, 1e-12")
    }
}

/// RecBole's objective of a tied-item model from its config's loss_type (CE when there is no
/// config): CE, or BPR with one uniform negative over `items` ids; `model` names it in messages.
func recboleObjective(_ config: RecBoleConfig?, items: Int, model: String) throws -> NextItemObjective {
    let loss = config?.string("loss_type") ?? "CE"
    switch loss {
    case "CE": return .fullSoftmax
    case "BPR": return .bpr(sampler: try .uniform(itemCount: items))
    default: throw TrainingError("the RecBole \(model) trains with loss_type '\(loss)'; SeqLab's trains with CE or BPR")
    }
}

/// The number of distinct indices i among tensor names `<prefix><i>.…`.
func layerCount(_ prefix: String, _ shapes: [String: [Int]]) -> Int {
    Set(shapes.keys.compactMap { key -> Int? in
        guard key.hasPrefix(prefix) else { return nil }
        return Int(key.dropFirst(prefix.count).prefix { $0 != "." })
    }).count
}

/// Reading and writing RecBole's checkpoints.
public enum RecBoleInterop {
    /// The families RecBole builds as SeqLab does.
    public static let layouts: [any RecBoleLayout.Type] = [SASRecFamily.self, GRU4RecFamily.self, RecBoleNextItNetFamily.self,
                                                            BERT4RecFamily.self]

    /// The layout for a RecBole model name or a SeqLab family name, any case.
    public static func layout(_ name: String) -> (any RecBoleLayout.Type)? {
        layouts.first { $0.recboleModel.lowercased() == name.lowercased() || $0.kind == name.lowercased() }
    }

    /// The model in `checkpoint`: a checkpoint RecBole's trainer saved (its config says which model
    /// and its sizes), or a bare RecBole state dict, whose family `model` names. Named `name` (the
    /// family's name when nil), initialised from `seed` before the file's weights overwrite every
    /// parameter.
    public static func importModel(_ checkpoint: TorchCheckpoint, model: String?, defaults: RecBoleDefaults = RecBoleDefaults(),
                                   name: String? = nil, seed: Seed) throws -> ImportedModel {
        let path = checkpoint.path
        var config: RecBoleConfig?
        var stateValue = checkpoint.pickle.root
        var source = "RecBole-layout state dict"
        if let trainer = try RecBoleTrainerCheckpoint(checkpoint) {
            stateValue = trainer.stateDict
            if let found = trainer.config {
                config = found
                source = "RecBole \(found.string("model") ?? "?") checkpoint" + (trainer.epoch.map { " (epoch \($0))" } ?? "")
            } else if model == nil {
                throw TrainingError("\(path): the checkpoint has a state_dict but no config; give model: to read the state dict alone")
            } else {
                // As the message above promises: with model:, the state_dict is read as a bare one.
                source = "the state_dict of a checkpoint without config"
            }
        }
        let recboleName = config?.string("model") ?? model
        guard let wanted = recboleName else {
            throw TrainingError("\(path): a bare state dict does not say which model it holds; give model: (\(layouts.map { "\"\($0.recboleModel.lowercased())\"" }.joined(separator: ", ")), or the authors' \"unisrec\")")
        }
        if let model, let configured = config?.string("model"), layout(model)?.recboleModel != configured {
            throw TrainingError("\(path): model: says \(model) but the checkpoint holds RecBole's \(configured)")
        }
        guard let family = layout(wanted) else {
            throw TrainingError("\(path): the checkpoint holds RecBole's \(wanted); SeqLab imports \(layouts.map { $0.recboleModel }.joined(separator: ", "))")
        }
        // stateDict checks every tensor against its stored bytes, so nothing below allocates for a
        // size the file does not hold.
        let tensors = try checkpoint.stateDict(stateValue)
        var byName: [String: TorchTensorReference] = [:]
        for (n, t) in tensors { byName[n] = t }
        let shapes = byName.mapValues(\.shape)
        // The family's checks (a tensor a bare dict lacks, sizes out of range) name the file as the rest do.
        let built: TrainableRecommender
        do {
            let entries = [("model", family.kind)] + (try family.entries(config: config, shapes: shapes, defaults: defaults))
            built = try ModelCatalog.build(entries, name: name ?? family.kind, seed: seed)
        } catch let error as TrainingError where !error.description.hasPrefix(path + ": ") {
            throw TrainingError("\(path): \(error.description)")
        }
        try load(checkpoint, tensors: tensors, into: built, layout: family)
        return ImportedModel(model: built, source: source)
    }

    /// Copies every tensor of a RecBole state dict into `model`'s parameters; every parameter must
    /// be there, with the shape it has (transposed where RecBole keeps [out, in]), and nothing else.
    static func load(_ checkpoint: TorchCheckpoint, tensors: [(name: String, tensor: TorchTensorReference)],
                     into model: TrainableRecommender, layout: any RecBoleLayout.Type) throws {
        var byName: [String: TorchTensorReference] = [:]
        for (n, t) in tensors { byName[n] = t }
        var used = Set<String>()
        for parameter in model.parameters {
            guard let (recbole, transposed) = layout.recboleName(of: parameter.name) else {
                throw TrainingError("\(checkpoint.path): SeqLab's \(layout.recboleModel) has a parameter \(parameter.name) with no RecBole counterpart")
            }
            guard let reference = byName[recbole] else {
                throw TrainingError("\(checkpoint.path): the state dict has no '\(recbole)' (SeqLab's \(parameter.name)); it is not a RecBole \(layout.recboleModel) of these sizes")
            }
            let convolution = layout.isConvolution(parameter.name) && parameter.shape.count == 3
            let s = parameter.shape
            let expected = convolution ? [s[2], s[1], 1, s[0]] : transposed ? Array(s.reversed()) : s
            guard reference.shape == expected else {
                throw TrainingError("\(checkpoint.path): '\(recbole)' is \(reference.shape) but a \(layout.recboleModel) of these sizes needs \(expected)")
            }
            let values = try checkpoint.floatTensor(reference, name: recbole)
            let out = parameter.pointer
            if convolution {
                convolutionLayout(values.pointer, kernel: s[0], inputs: s[1], outputs: s[2], toSeqLab: true, into: out)
            } else if transposed {
                let (rows, columns) = (reference.shape[0], reference.shape[1])   // file [out, in] → ours [in, out]
                transpose(values.pointer, rows: rows, columns: columns, into: out)
            } else {
                out.update(from: values.pointer, count: values.count)
            }
            used.insert(recbole)
        }
        if let extra = tensors.first(where: { !used.contains($0.name) }) {
            throw TrainingError("\(checkpoint.path): the state dict has '\(extra.name)', which SeqLab's \(layout.recboleModel) does not have; it is not a RecBole \(layout.recboleModel) of these sizes")
        }
    }

    /// `model`'s parameters under RecBole's names and layouts, in RecBole's state-dict order, for
    /// `TorchStateDictWriter`; nil when RecBole has no such model.
    public static func stateDict(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)]? {
        let kind = model.configurationEntries.first { $0.0 == "model" }?.1 ?? ""
        guard let layout = layouts.first(where: { $0.kind == kind }), layout.exportRefusal(model.configurationEntries) == nil else { return nil }
        var out: [(name: String, value: SafetensorsValue)] = []
        for parameter in model.parameters {
            guard let (name, transposed) = layout.recboleName(of: parameter.name) else { return nil }
            let s = parameter.shape
            if layout.isConvolution(parameter.name) && s.count == 3 {
                let t = Tensor(zeros: [s[2], s[1], 1, s[0]], name: name)
                convolutionLayout(parameter.pointer, kernel: s[0], inputs: s[1], outputs: s[2], toSeqLab: false, into: t.pointer)
                out.append((name, .float(t)))
            } else if transposed {
                let (rows, columns) = (parameter.shape[0], parameter.shape[1])
                let t = Tensor(zeros: [columns, rows], name: name)
                transpose(parameter.pointer, rows: rows, columns: columns, into: t.pointer)
                out.append((name, .float(t)))
            } else {
                out.append((name, .float(parameter)))
            }
        }
        return out.sorted { layout.recboleOrder($0.name) < layout.recboleOrder($1.name) }
    }
}

extension RecBoleLayout {
    /// SeqLab's order is RecBole's.
    public static func recboleOrder(_ name: String) -> Int { 0 }
    /// No convolutions.
    public static func isConvolution(_ name: String) -> Bool { false }
    /// Every model of the family has RecBole's layout.
    public static func exportRefusal(_ entries: [(String, String)]) -> String? { nil }
}
