// VQ-Rec's multi-domain pretraining (reference/text-models.md §5.3): several datasets, each with
// its own item codes, trained together on the shuffled union of their training rows (see
// DomainUnion.swift), so the in-batch negatives are multi-domain. The domains share one code
// table: their codes come from one quantiser (the reference's FHCKM index), so code c of
// sub-space m means the same in every domain, and their code rows are concatenated in domain order.
// Fine-tune the result on any target's codes with `VQRecRecommender.finetuned(codes:permutation:...)`.

import Datasets
import Models
import Tensors

/// One pretraining domain: a split of a dataset and its item codes.
public struct VQRecDomain: Sendable {
    /// The domain's name (for summaries and errors).
    public let name: String
    /// Its rows; item ids index `codes`.
    public let split: Split
    /// Its items' codes [N_k, D], row 0 = padding.
    public let codes: ItemCodes

    /// A domain; throws when the codes do not have one row per item id of the split.
    public init(name: String, split: Split, codes: ItemCodes) throws {
        guard codes.rows == split.itemCount else {
            throw TrainingError("the item codes of \(name) have \(codes.rows) rows but its split has \(split.itemCount) item ids (padding included); quantise this dataset's items")
        }
        self.name = name
        self.split = split
        self.codes = codes
    }
}

/// Several VQ-Rec domains as one catalogue of distinct items with the union of their rows.
public struct VQRecCatalogue {
    /// The domains, in the order given.
    public let domains: [VQRecDomain]
    /// Domain k's item i is union id offsets[k] + i (i ≥ 1).
    public let offsets: [Int]
    /// The concatenated codes (row 0 = padding).
    public let codes: ItemCodes
    /// The union's rows (valid and test only when built with `validation`).
    public let split: Split

    /// The union of `domains` (at least one; all quantised with the same D and K).
    public init(_ domains: [VQRecDomain], validation: Bool = false) throws {
        let union = try DomainUnion(names: domains.map(\.name), splits: domains.map(\.split), validation: validation)
        let first = domains[0].codes
        for d in domains where d.codes.positions != first.positions || d.codes.cap != first.cap {
            throw TrainingError("\(d.name) has \(d.codes.positions) codes of \(d.codes.cap) centroids but \(domains[0].name) \(first.positions) of \(first.cap); quantise every domain with one quantiser")
        }
        var values = [Int32](repeating: 0, count: first.positions)
        for d in domains { values += d.codes.values[first.positions...] }
        self.domains = domains
        offsets = union.offsets
        codes = ItemCodes(rows: union.itemCount, positions: first.positions, cap: first.cap, values: values)
        split = union.split
    }
}

/// VQ-Rec's pretraining on several domains, as one model and one trainer.
public final class VQRecPretraining {
    /// The domains as one catalogue and their union of rows.
    public let catalogue: VQRecCatalogue
    /// The model being pretrained: a network over the union's codes.
    public let model: VQRecRecommender
    /// The trainer (shuffled union batches, Adam; call `fit` again to continue).
    public let trainer: Trainer

    /// A fresh network of `configuration` pretrained on `domains` (VQ-Rec's InfoNCE with
    /// in-batch and semi-synthetic negatives; `configuration.fakeCodeRatio` sets the replacement rate).
    public convenience init(domains: [VQRecDomain], configuration: VQRecConfiguration, validation: Bool = false,
                            seed: Seed, name: String = "vqrec-pretrained") throws {
        let catalogue = try VQRecCatalogue(domains, validation: validation)
        if let problem = VQRec.problem(configuration, codes: catalogue.codes) { throw TrainingError(problem) }
        self.init(catalogue: catalogue, network: VQRec(configuration, codes: catalogue.codes, seed: seed), seed: seed,
                  origin: "pretrained on " + domains.map(\.name).joined(separator: ", "), name: name)
    }

    /// Pretrains `base` in place: the model over the union shares `base`'s code table, position
    /// table, input layer norm and layers, so `base` holds the pretrained weights as training goes
    /// (its own catalogue's codes are untouched). The domains must be quantised with the quantiser
    /// of `base`'s codes, so that code c of sub-space m means the same in all of them. A trainer
    /// that fitted `base` before keeps its own copy of the old weights and would restore them on
    /// its next `fit`: fine-tune with `finetuned(...)`, or give `base` a fresh trainer.
    public convenience init(base: VQRecRecommender, domains: [VQRecDomain], validation: Bool = false,
                            seed: Seed, name: String? = nil) throws {
        let catalogue = try VQRecCatalogue(domains, validation: validation)
        let c = base.network.configuration
        if let problem = VQRec.transferProblem(from: c, to: c, codes: catalogue.codes) { throw TrainingError(problem) }
        let network = VQRec(transferring: base.network, codes: catalogue.codes, sharing: true, initStream: seed.stream("init.pretrain"))
        self.init(catalogue: catalogue, network: network, seed: seed,
                  origin: "\(base.name) pretrained on " + domains.map(\.name).joined(separator: ", "), name: name ?? base.name)
    }

    private init(catalogue: VQRecCatalogue, network: VQRec, seed: Seed, origin: String, name: String) {
        self.catalogue = catalogue
        network.permutationLogits.isFrozen = true
        model = VQRecRecommender(network: network, objective: .pretraining, origin: origin, name: name)
        trainer = Trainer(model: model, seed: seed)
    }

    /// Trains `options.epochs` more epochs on the union (validating only when built with `validation`).
    @discardableResult
    public func fit(_ options: TrainingOptions, observer: TrainingObserver? = nil) throws -> FitStop {
        try trainer.fit(catalogue.split, options: options, observer: observer)
    }
}
