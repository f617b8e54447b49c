// The NextItNet family's descriptors: NextItNet (causal, next item at every position) and the GRec
// encoder (non-causal, masked items), both over `NextItNetConfiguration` and its bounds.

import Datasets
import Models
import Tensors

/// NextItNet (Yuan et al., WSDM 2019).
public enum NextItNetFamily: TrainerModelFamily {
    public static let kind = "nextitnet"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let configuration = try network(entries, causal: true)
        let (objective, counts) = try ObjectiveEntries.parse(entries, itemCount: configuration.items)
        return NextItNetRecommender(configuration, seed: seed, objective: objective, samplerCounts: counts, name: name)
    }

    /// The entries of a network's sizes.
    static func entries(_ c: NextItNetConfiguration) -> [(String, String)] {
        // The initialisation is recorded only when it is not TF's, so the entries (and run
        // identities) of every network made before there was a choice stay as they were.
        [("items", String(c.items)), ("channels", String(c.channels)), ("kernel", String(c.kernel)),
         ("dilations", c.dilations.map(String.init).joined(separator: ","))]
            + (c.initialisation == .tf ? [] : [("init", initialisationEntry(c.initialisation))])
            + (c.reluBeforeOutput ? [("reluBeforeOutput", "true")] : [])
    }

    /// "torch" for one scheme everywhere, else "embedding/convolutions/output" schemes, e.g. "torch/tf/tf".
    static func initialisationEntry(_ i: NextItNetInitialisation) -> String {
        i.uniformScheme?.rawValue ?? [i.embedding, i.convolutions, i.output].map(\.rawValue).joined(separator: "/")
    }

    /// The initialisation an `init` entry names (TF's when there is none).
    static func initialisation(_ entries: ConfigurationEntries) throws -> NextItNetInitialisation {
        guard let text = entries["init"] else { return .tf }
        let parts = text.split(separator: "/").map { NextItNetInitialisation.Scheme(rawValue: String($0)) }
        guard parts.allSatisfy({ $0 != nil }) else { throw TrainingError("the saved configuration has an unknown init \"\(text)\"") }
        switch parts.count {
        case 1: return NextItNetInitialisation(parts[0]!)
        case 3: return NextItNetInitialisation(embedding: parts[0]!, convolutions: parts[1]!, output: parts[2]!)
        default: throw TrainingError("the saved configuration has an unknown init \"\(text)\"")
        }
    }

    /// The network sizes in `entries`, checked against the bounds `nextitnet(...)` enforces.
    static func network(_ entries: ConfigurationEntries, causal: Bool) throws -> NextItNetConfiguration {
        let items = try entries.int("items"), channels = try entries.int("channels"), kernel = try entries.int("kernel")
        let dilations = entries.ints("dilations")
        guard NextItNetConfiguration.problem(items: items, channels: channels, kernel: kernel, dilations: dilations) == nil else {
            throw TrainingError("the saved configuration is out of range: items \(items), channels \(channels), kernel \(kernel), dilations \(dilations)")
        }
        let relu = entries["reluBeforeOutput"] == nil ? false : try entries.bool("reluBeforeOutput")
        return NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations,
                                      causal: causal, extraInputTokens: causal ? 0 : 1, reluBeforeOutput: relu,
                                      initialisation: try initialisation(entries))
    }
}

/// The GRec encoder (Yuan et al., WWW 2020) as PeterRec pretrains it.
public enum GRecFamily: TrainerModelFamily {
    public static let kind = "grec"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let p = try entries.double("maskProbability"), m = try entries.int("maxPredictions")
        guard p > 0, p <= 1, m >= 1 else { throw TrainingError("the saved masking is out of range: probability \(p), maxPredictions \(m)") }
        return GRecRecommender(try NextItNetFamily.network(entries, causal: false), seed: seed,
                               masking: ClozeMasking(probability: p, maxPredictions: m), name: name)
    }
}
