// A training objective as checkpoint configuration entries and back, and as the words users type
// (`loss: "bpr", sampler: "lambdafm"`). Samplers built from item counts carry the counts, so a
// restored model draws the same negatives as the saved one would have.

import Datasets
import Models

/// Encodes and parses `NextItemObjective`s.
public enum ObjectiveEntries {
    /// The loss names `nextitnet(loss:)` accepts.
    public static let losses = ["softmax", "sampled-softmax", "bpr", "bce"]
    /// The sampler names `nextitnet(sampler:)` accepts.
    public static let samplers = ["uniform", "popularity", "lambdafm"]

    /// Builds an objective from its names; counts (one per id, padding included) feed the
    /// popularity and LambdaFM samplers.
    public static func objective(loss: String, sampler: String, negatives: Int, rho: Double, counts: [Int]?, itemCount: Int) throws -> NextItemObjective {
        func makeSampler() throws -> NegativeSampler {
            do {
                switch sampler {
                case "uniform": return try .uniform(itemCount: itemCount)
                case "popularity", "lambdafm":
                    guard let counts else { throw TrainingError("the \(sampler) sampler needs item counts: build the model from a split") }
                    return sampler == "popularity" ? try .popularity(counts: counts) : try .lambdaFM(counts: counts, rho: rho)
                default: throw TrainingError("unknown sampler \"\(sampler)\"; use one of \(samplers.joined(separator: ", "))")
                }
            } catch let e as NegativeSamplerError { throw TrainingError("\(e)") }
        }
        switch loss {
        case "softmax": return .fullSoftmax
        case "sampled-softmax":
            guard negatives >= 1, negatives < itemCount - 1 else {
                throw TrainingError("sampled softmax needs between 1 and \(itemCount - 2) negatives, got \(negatives)")
            }
            return .sampledSoftmax(negatives: negatives, sampler: try makeSampler())
        case "bpr": return .bpr(sampler: try makeSampler())
        case "bce": return .bce(sampler: try makeSampler())
        default: throw TrainingError("unknown loss \"\(loss)\"; use one of \(losses.joined(separator: ", "))")
        }
    }

    /// The configuration entries of `objective`.
    public static func entries(_ objective: NextItemObjective, counts: [Int]?) -> [(String, String)] {
        var out: [(String, String)]
        switch objective {
        case .fullSoftmax: return [("loss", "softmax")]
        case .sampledSoftmax(let n, _): out = [("loss", "sampled-softmax"), ("negatives", String(n))]
        case .bpr: out = [("loss", "bpr")]
        case .bce: out = [("loss", "bce")]
        }
        guard let sampler = objective.sampler else { return out }
        switch sampler.kind {
        case .uniform: out.append(("sampler", "uniform"))
        case .popularity: out.append(("sampler", "popularity"))
        case .lambdaFM(let rho): out += [("sampler", "lambdafm"), ("rho", "\(rho)")]
        }
        if sampler.kind != .uniform, let counts { out.append(("samplerCounts", counts.map(String.init).joined(separator: ","))) }
        return out
    }

    /// The objective saved as `values` (absent entries mean full softmax).
    static func parse(_ values: ConfigurationEntries, itemCount: Int) throws -> (NextItemObjective, [Int]?) {
        let loss = values["loss"] ?? "softmax"
        let counts = values["samplerCounts"].map { $0.split(separator: ",").compactMap { Int($0) } }
        let objective = try objective(loss: loss, sampler: values["sampler"] ?? "uniform", negatives: Int(values["negatives"] ?? "") ?? 0,
                                      rho: Double(values["rho"] ?? "") ?? 0.3, counts: counts, itemCount: itemCount)
        return (objective, counts)
    }
}

extension Rows {
    /// How often each id (padding included, at index 0 with count 0) is a training target of these
    /// rows: each transition once, whether the rows are prefixes or sequence windows.
    public func targetCounts(itemCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        let windows = sequenceWindows(maxLength: max(longestHistory, 1))
        for r in 0..<windows.count {
            for item in windows.labels(r) where item > 0 && Int(item) < itemCount { counts[Int(item)] += 1 }
        }
        return counts
    }
}

/// `text` on one line, as a configuration entry's value must be (entries are one per line).
func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
