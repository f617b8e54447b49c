// UniSRec's multi-domain pretraining (reference/text-models.md §4.4): several datasets, each with
// its own item text table, trained together with L_SI + λ·L_SS on the shuffled union of their
// training rows, so every batch mixes domains and the in-batch negatives are multi-domain.
//
// The domains become one catalogue: domain k's item i is id offset_k + i, its text is row
// offset_k + i of the concatenated table (row 0 stays the one padding row), so items of different
// domains are always distinct, even when their tokens coincide. Rows (train, and with `validation`
// the valid and test rows) are the domains' rows with their items renamed; users are renamed the
// same way. The reference trains a fixed number of epochs without validation; `validation: true`
// ranks the union's validation rows over the whole union catalogue after each epoch (and so makes
// early stopping possible), at the cost of a full ranking per epoch.
// The pretrained parts are the network's adaptor, position table, input layer norm and layers;
// fine-tune them on any target with `UniSRecRecommender.finetuned(features:mode:freeze:...)`.

import Datasets
import Models
import Tensors

/// One pretraining domain: a split of a dataset and its item text.
public struct UniSRecDomain: Sendable {
    /// The domain's name (for summaries and errors).
    public let name: String
    /// Its rows; item ids index `features`.
    public let split: Split
    /// Its item text table [N_k, d], row 0 = padding.
    public let features: FeatureMatrix
    /// Its word-dropped text table (`.feat2CLS`), or nil: then its rows always take the item-drop view.
    public let wordDropped: FeatureMatrix?

    /// A domain; throws when the tables do not have one row per item id of the split.
    public init(name: String, split: Split, features: FeatureMatrix, wordDropped: FeatureMatrix? = nil) throws {
        for (what, table) in [("item features", features), ("word-dropped features", wordDropped)] {
            guard let table else { continue }
            guard table.rows == split.itemCount else {
                throw TrainingError("the \(what) of \(name) have \(table.rows) rows but its split has \(split.itemCount) item ids (padding included); encode this dataset's items")
            }
            guard table.width == features.width else {
                throw TrainingError("the word-dropped features of \(name) are \(table.width)-d, its features \(features.width)-d")
            }
        }
        if let problem = ItemTextFeatures.problem(rows: features.rows, width: features.width, values: features.values,
                                                  secondary: wordDropped?.values, hasSecondary: nil) {
            throw TrainingError("\(name): \(problem)")
        }
        self.name = name
        self.split = split
        self.features = features
        self.wordDropped = wordDropped
    }

    /// The domain of a dataset with item features (its `itemFeatures`).
    public init(_ dataset: Dataset, split: Split, wordDropped: FeatureMatrix? = nil) throws {
        guard let features = dataset.itemFeatures else {
            throw TrainingError("\(dataset.name) has no item features; encode its item text first (a sentence encoder or TF-IDF + SVD) or load its .feat1CLS")
        }
        try self.init(name: dataset.name, split: split, features: features, wordDropped: wordDropped)
    }
}

/// Several domains as one catalogue of distinct items, with the union of their rows.
public struct MultiDomainCatalogue {
    /// The domains, in the order given.
    public let domains: [UniSRecDomain]
    /// Domain k's item i is union id offsets[k] + i (i ≥ 1).
    public let offsets: [Int]
    /// The concatenated text tables (row 0 = padding), with the word-dropped rows where a domain has them.
    public let features: ItemTextFeatures
    /// The union's rows: training rows of every domain, shuffled together by the trainer; valid and
    /// test rows too when built with `validation`, otherwise none.
    public let split: Split

    /// The union of `domains` (at least one; all with features of one width).
    public init(_ domains: [UniSRecDomain], validation: Bool = false) throws {
        guard let first = domains.first else { throw TrainingError("pretraining needs at least one domain") }
        for d in domains where d.features.width != first.features.width {
            throw TrainingError("\(d.name) has \(d.features.width)-d item features but \(first.name) \(first.features.width)-d; encode every domain with the same encoder")
        }
        let union = try DomainUnion(names: domains.map(\.name), splits: domains.map(\.split), validation: validation)
        let (offsets, total) = (union.offsets, union.itemCount)
        let width = first.features.width
        let anySecond = domains.contains { $0.wordDropped != nil }
        var values = [Float](repeating: 0, count: total * width)
        var second = anySecond ? [Float](repeating: 0, count: total * width) : nil
        var hasSecond = [Bool](repeating: false, count: total)
        for (k, d) in domains.enumerated() {
            let rows = d.split.itemCount - 1, start = (offsets[k] + 1) * width
            values.replaceSubrange(start..<(start + rows * width), with: d.features.values[width...])
            if let w = d.wordDropped {
                second!.replaceSubrange(start..<(start + rows * width), with: w.values[width...])
                for i in 1...rows { hasSecond[offsets[k] + i] = true }
            }
        }
        if let problem = ItemTextFeatures.problem(rows: total, width: width, values: values, secondary: second,
                                                  hasSecondary: anySecond ? hasSecond : nil) {
            throw TrainingError(problem)
        }
        self.domains = domains
        self.offsets = offsets
        features = ItemTextFeatures(rows: total, width: width, values: values, secondary: second, hasSecondary: anySecond ? hasSecond : nil)
        split = union.split
    }

    /// The domain index and local item id of union item `id` (≥ 1).
    public func domain(ofItem id: Int) -> (domain: Int, item: Int) {
        precondition(id >= 1 && id < features.rows, "MultiDomainCatalogue: item \(id) outside 1..<\(features.rows)")
        let k = offsets.lastIndex { $0 < id }!
        return (k, id - offsets[k])
    }
}

/// UniSRec's pretraining on several domains, as one model and one trainer.
public final class UniSRecPretraining {
    /// The domains as one catalogue and their union of rows.
    public let catalogue: MultiDomainCatalogue
    /// The model being pretrained: an inductive network over the union catalogue.
    public let model: UniSRecRecommender
    /// The trainer (shuffled union batches, Adam; call `fit` again to continue).
    public let trainer: Trainer

    /// A fresh network of `configuration` pretrained on `domains` with L_SI + `lambda`·L_SS.
    public convenience init(domains: [UniSRecDomain], configuration: UniSRecConfiguration, lambda: Float = 1e-3,
                            augmentation: ContrastiveAugmentation = ContrastiveAugmentation(), validation: Bool = false,
                            seed: Seed, name: String = "unisrec-pretrained") throws {
        if let problem = configuration.problem { throw TrainingError(problem) }
        let catalogue = try MultiDomainCatalogue(domains, validation: validation)
        let network = UniSRec(configuration, features: catalogue.features, mode: .inductive, seed: seed)
        try self.init(catalogue: catalogue, network: network, lambda: lambda, augmentation: augmentation, seed: seed,
                      origin: "pretrained on " + domains.map(\.name).joined(separator: ", "), name: name)
    }

    /// Pretrains the transferable parts of `base` in place: the model over the union shares
    /// `base`'s adaptor, position table, input layer norm and layers (its item table, if any, is
    /// not touched), so `base` holds the pretrained weights as training goes. A trainer that
    /// fitted `base` before keeps its own copy of the old weights and would restore them on its
    /// next `fit`: fine-tune with `finetuned(...)`, or give `base` a fresh trainer.
    public convenience init(base: UniSRecRecommender, domains: [UniSRecDomain], lambda: Float = 1e-3,
                            augmentation: ContrastiveAugmentation = ContrastiveAugmentation(), validation: Bool = false,
                            seed: Seed, name: String? = nil) throws {
        let catalogue = try MultiDomainCatalogue(domains, validation: validation)
        if let problem = UniSRec.transferProblem(from: base.network.configuration, to: base.network.configuration,
                                                 features: catalogue.features) {
            throw TrainingError(problem)
        }
        let network = UniSRec(transferring: base.network, features: catalogue.features, mode: .inductive, sharing: true,
                              initStream: seed.stream("init.pretrain"))
        try self.init(catalogue: catalogue, network: network, lambda: lambda, augmentation: augmentation, seed: seed,
                      origin: "\(base.name) pretrained on " + domains.map(\.name).joined(separator: ", "), name: name ?? base.name)
    }

    private init(catalogue: MultiDomainCatalogue, network: UniSRec, lambda: Float, augmentation: ContrastiveAugmentation,
                 seed: Seed, origin: String, name: String) throws {
        guard lambda.isFinite, lambda >= 0 else { throw TrainingError("lambda must be a non-negative number, got \(lambda)") }
        if let problem = augmentation.problem { throw TrainingError(problem) }
        self.catalogue = catalogue
        model = UniSRecRecommender(network: network, objective: .pretraining(lambda: lambda, augmentation: augmentation),
                                   origin: origin, name: name)
        trainer = Trainer(model: model, seed: seed)
    }

    /// Trains `options.epochs` more epochs on the union (validating only when built with `validation`).
    @discardableResult
    public func fit(_ options: TrainingOptions, observer: TrainingObserver? = nil) throws -> FitStop {
        try trainer.fit(catalogue.split, options: options, observer: observer)
    }
}
