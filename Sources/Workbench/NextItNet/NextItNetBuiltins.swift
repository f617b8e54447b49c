// The NextItNet family in the language: `nextitnet(data, ...)` and `grec(data, ...)`. Every size is
// checked at the call against `NextItNetConfiguration.Bounds` (the bounds checkpoints are read
// against too), so a typo is an error pointing at the argument rather than a crash deep in a
// forward pass.

import Datasets
import Models
import Script
import Tensors
import Training

/// The arguments of every NextItNet-family constructor.
private let networkParameters: [Parameter] = [
    Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
              help: "the dataset (or a split of it) whose items the model ranks"),
] + networkSizeParameters(block: "residual block") + [
    Parameter("maxLength", .integer, default: Value.none,
              help: "longest history it reads (default: the split's max length, else 50)"),
    Parameter("seed", .integer, default: Value.none, help: "initialisation and training seed (default: the session's)"),
    Parameter("name", .string, default: Value.none, help: "how tables and the store call it"),
]

/// The `init` argument, whose default differs by family: "auto" for nextitnet (measured in
/// Docs/nextitnet-sparse.md), "tf" for grec (not measured).
private func initParameter(default scheme: String) -> Parameter {
    Parameter("init", .oneOf([.string, .record]), default: .string(scheme),
              help: "how weights start: \"tf\" (the original's truncated normal 0.02), \"torch\" (PyTorch's defaults, embedding N(0, 1)) or \"recbole\" (RecBole's); a record such as {embedding: \"torch\", convolutions: \"tf\", output: \"tf\"} sets each part"
                + (scheme == "auto" ? "; \"auto\" is tf where items have 20 or more events each, else tf with torch's embedding, and the model's description says which" : ""))
}

extension NextItNetFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(BuiltinSpec("nextitnet", topic: "models", parameters: networkParameters + [initParameter(default: "auto")] + [
            Parameter("loss", .string, default: .string("softmax"),
                      help: "\"softmax\" (full, fused), \"sampled-softmax\", \"bpr\" or \"bce\" (one negative each)"),
            Parameter("sampler", .string, default: .string("uniform"),
                      help: "negatives for sampled losses: \"uniform\", \"popularity\" or \"lambdafm\" (rank-aware; counts from the split)"),
            Parameter("negatives", .integer, default: .number(100), help: "negatives per target for sampled softmax"),
            Parameter("rho", .number, default: .number(0.3), help: "LambdaFM's rank decay ρ"),
            Parameter("reluBeforeOutput", .bool, default: .bool(false),
                      help: "apply ReLU to the last block's output before the output layer, as the authors' TF full-softmax graph does"),
            Parameter("variant", .string, default: .string("authors"),
                      help: "\"authors\" (the TF original's model), or \"recbole\": RecBole 1.2.1's NextItNet, which reads the last column of full-width rows and scores through a final layer tied to the item table (prefix rows, softmax or bpr; Docs/fidelity.md)"),
        ], help: "NextItNet (Yuan et al., WSDM 2019): causal dilated convolutions predicting the next item at every position.") { args, interpreter in
            if try args.string("variant", choices: ["authors", "recbole"]) == "recbole" {
                return try RecBoleNextItNetFamily.build(args, interpreter)
            }
            let setup = try NetworkSetup(args, interpreter: interpreter, defaultName: kind, automaticInit: true)
            let loss = try args.string("loss", choices: ObjectiveEntries.losses)
            let samplerName = try args.string("sampler", choices: ObjectiveEntries.samplers)
            let counts = samplerName == "uniform" || loss == "softmax" ? nil : setup.split?.split.train.targetCounts(itemCount: setup.items)
            if counts == nil && samplerName != "uniform" && loss != "softmax" {
                throw args.error("sampler", "the \(samplerName) sampler counts items in the training rows: build the model from a split, e.g. nextitnet(split, ...)")
            }
            // Checked before the objective is built, so each range error points at its own argument
            // (a sampled softmax draws distinct negatives other than the target and the padding).
            let negatives = loss == "sampled-softmax"
                ? try args.int("negatives", min: 1, max: max(1, setup.items - 2)) : try args.int("negatives", min: 1)
            let rho = try args.number("rho", min: 0, exclusiveMin: true)
            let objective: NextItemObjective
            do {
                objective = try ObjectiveEntries.objective(
                    loss: loss, sampler: samplerName, negatives: negatives, rho: rho, counts: counts, itemCount: setup.items)
            } catch { throw args.error("loss", "\(error)") }
            var configuration = setup.configuration(causal: true)
            configuration.reluBeforeOutput = try args.bool("reluBeforeOutput")
            let model = NextItNetRecommender(configuration, seed: setup.seed, objective: objective,
                                             samplerCounts: counts, name: setup.name)
            model.initialisationReason = setup.initialisationReason
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: setup.seed), dataset: setup.dataset,
                                       split: setup.split, width: setup.width))
        })
    }
}

extension RecBoleNextItNetFamily: LanguageModelFamily {
    /// Built by `nextitnet(..., variant: "recbole")`; no builtin of its own.
    static func register(in registry: Registry) {}

    /// `nextitnet(data, ..., variant: "recbole")`: RecBole 1.2.1's NextItNet over the same sizes.
    static func build(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        for (name, neutral) in [("init", Value.string("auto")), ("sampler", .string("uniform")), ("reluBeforeOutput", .bool(false))]
        where args.value(name) != neutral {
            throw args.error(name, "\(name): is a setting of the authors' NextItNet; RecBole's (variant: \"recbole\") has its own initialisation, a uniform BPR negative and no ReLU")
        }
        // "auto" is the only init that reaches here (checked above); it chooses nothing for this variant.
        let setup = try NetworkSetup(args, interpreter: interpreter, defaultName: kind, automaticInit: true)
        if let split = setup.split, split.split.train.kind != .prefix {
            throw args.error("data", "RecBole's NextItNet trains on prefix rows, one per position, as RecBole does; split with training: \"prefix\"")
        }
        let loss = try args.string("loss", choices: ["softmax", "bpr"])
        let objective: NextItemObjective
        do {
            objective = try ObjectiveEntries.objective(loss: loss, sampler: "uniform", negatives: 1, rho: 0.3, counts: nil, itemCount: setup.items)
        } catch { throw args.error("loss", "\(error)") }
        let configuration = RecBoleNextItNetConfiguration(items: setup.items, channels: setup.channels, kernel: setup.kernel,
                                                          dilations: setup.dilations, maxLength: setup.width)
        let model = RecBoleNextItNetRecommender(configuration, seed: setup.seed, objective: objective, rows: .prefix, name: setup.name)
        return .object(ModelObject(model, trainer: Trainer(model: model, seed: setup.seed), dataset: setup.dataset,
                                   split: setup.split, width: setup.width))
    }
}

extension GRecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(BuiltinSpec("grec", topic: "models", parameters: networkParameters + [initParameter(default: "tf")] + [
            Parameter("maskProbability", .number, default: .number(0.3), help: "share of each sequence masked in training"),
            Parameter("maxPredictions", .integer, default: .number(30), help: "at most this many masked items per sequence"),
        ], help: "The GRec encoder (non-causal NextItNet) trained to fill in masked items; recommends through a mask slot.") { args, interpreter in
            let setup = try NetworkSetup(args, interpreter: interpreter, defaultName: kind)
            let p = try args.number("maskProbability", min: 0, exclusiveMin: true)
            guard p <= 1 else { throw args.error("maskProbability", "maskProbability must be in (0, 1], got \(formatNumber(p))") }
            let masking = ClozeMasking(probability: p, maxPredictions: try args.int("maxPredictions", min: 1, max: 10_000))
            let model = GRecRecommender(setup.configuration(causal: false), seed: setup.seed, masking: masking, name: setup.name)
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: setup.seed), dataset: setup.dataset,
                                       split: setup.split, width: setup.width))
        })
    }
}

/// The arguments every NextItNet-family constructor shares, checked.
struct NetworkSetup {
    let dataset: DatasetObject
    let split: SplitObject?
    let items: Int
    let channels: Int, kernel: Int
    let dilations: [Int]
    let width: Int
    let seed: Seed
    let name: String
    let initialisation: NextItNetInitialisation

    /// Why the initialisation is what it is, when "auto" chose it from the data.
    let initialisationReason: String?

    /// The arguments of a NextItNet-family constructor; `automaticInit` says whether the family
    /// offers `init: "auto"` (nextitnet) or not (grec).
    init(_ args: Arguments, interpreter: Interpreter, defaultName: String, automaticInit: Bool = false) throws {
        (dataset, split) = try datasetOrSplit(args, "data")
        items = dataset.dataset.itemCount + 1
        (channels, kernel, dilations) = try networkSizes(args)
        if args.has("maxLength") {
            width = try args.int("maxLength", min: 1, max: 100_000)
        } else {
            width = split?.split.maxLength ?? 50
        }
        guard kernel <= width else {
            throw args.error("kernel", "the kernel (\(kernel)) is longer than the longest history (\(width)); use a kernel of at most \(width)")
        }
        seed = try modelSeed(args, interpreter)
        name = try args.modelName(default: defaultName)
        let events = Double(dataset.dataset.interactionCount), items = Double(max(1, dataset.dataset.itemCount))
        (initialisation, initialisationReason) = try initialisationArgument(args, allowsAutomatic: automaticInit,
                                                                           eventsPerItem: events / items)
    }

    func configuration(causal: Bool) -> NextItNetConfiguration {
        NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations, causal: causal,
                               initialisation: initialisation)
    }
}

/// The `init` argument: a scheme's name for every part, a record naming one per part (parts left
/// out take "tf"), or "auto" where `allowsAutomatic` (chosen by `eventsPerItem`, with the reason).
func initialisationArgument(_ args: Arguments, allowsAutomatic: Bool,
                            eventsPerItem: Double) throws -> (NextItNetInitialisation, reason: String?) {
    typealias Scheme = NextItNetInitialisation.Scheme
    let names = Scheme.allCases.map(\.rawValue)
    let value = args.value("init")
    var automatic = false
    if case .string("auto") = value { automatic = true }
    if automatic && !allowsAutomatic {
        throw args.error("init", "\"auto\" was measured for nextitnet only (Docs/nextitnet-sparse.md); choose \"tf\", \"torch\" or \"recbole\"")
    }
    if automatic {
        let threshold = NextItNetInitialisation.sparseDataEventsPerItem
        let shown = String(format: "%.1f", eventsPerItem)
        return (NextItNetInitialisation.automatic(eventsPerItem: eventsPerItem),
                "auto: \(shown) events per item, \(eventsPerItem < threshold ? "under" : "at least") \(Int(threshold))")
    }
    if case .record(let r) = value {
        let parts = ["embedding", "convolutions", "output"]
        var chosen: [String: Scheme] = [:]
        for (key, v) in r.fields {
            guard parts.contains(key) else {
                throw args.error("init", "init has no part \"\(key)\"; the parts are \(parts.joined(separator: ", "))")
            }
            guard case .string(let name) = v, let scheme = Scheme(rawValue: name) else {
                let got: String
                if case .string(let name) = v { got = "\"\(name)\"" } else { got = v.described }
                throw args.error("init", "init.\(key) must be one of \(names.map { "\"\($0)\"" }.joined(separator: ", ")), got \(got)")
            }
            chosen[key] = scheme
        }
        return (NextItNetInitialisation(embedding: chosen["embedding"] ?? .tf, convolutions: chosen["convolutions"] ?? .tf,
                                        output: chosen["output"] ?? .tf), nil)
    }
    return (NextItNetInitialisation(Scheme(rawValue: try args.string("init", choices: names + (allowsAutomatic ? ["auto"] : [])))!), nil)
}

/// The size arguments of a NextItNet-style network (NextItNet, GRec, Conure's backbone), which
/// `networkSizes` checks; `block` names what one dilation builds.
func networkSizeParameters(block: String) -> [Parameter] {
    [
        Parameter("channels", .integer, default: .number(64), help: "embedding and hidden width C"),
        Parameter("dilations", .list, default: .list([1, 4, 1, 4].map { .number($0) }),
                  help: "one \(block) per entry d, with convolutions dilated d and 2d"),
        Parameter("kernel", .integer, default: .number(3), help: "convolution width"),
    ]
}

/// The checked `channels`, `kernel` and `dilations` arguments of a NextItNet-style network
/// (NextItNet, GRec, Conure's backbone).
func networkSizes(_ args: Arguments) throws -> (channels: Int, kernel: Int, dilations: [Int]) {
    let bounds = NextItNetConfiguration.Bounds.self
    let channels = try args.int("channels", in: bounds.channels)
    let kernel = try args.int("kernel", in: bounds.kernel)
    let list = try args.list("dilations")
    guard bounds.blocks.contains(list.count) else {
        throw args.error("dilations", "give between 1 and \(bounds.blocks.upperBound) dilations, e.g. [1, 4, 1, 4]")
    }
    let dilations = try list.map { v in
        guard case .number(let d) = v, d == d.rounded(), d >= Double(bounds.dilation.lowerBound), d <= Double(bounds.dilation.upperBound) else {
            throw args.error("dilations", "dilations must be whole numbers from 1 to \(bounds.dilation.upperBound), e.g. [1, 4, 1, 4]")
        }
        return Int(d)
    }
    return (channels, kernel, dilations)
}

/// A `Dataset` or `Split` argument: the dataset, and the split when one was given.
func datasetOrSplit(_ args: Arguments, _ name: String) throws -> (DatasetObject, SplitObject?) {
    switch args.value(name) {
    case .object(let s as SplitObject): return (s.source, s)
    case .object(let d as DatasetObject): return (d, nil)
    default: throw args.error(name, "give a dataset or a split")
    }
}
