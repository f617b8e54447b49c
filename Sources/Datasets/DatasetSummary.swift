// The one-paragraph summary a dataset prints in the REPL and in result headers.

extension Dataset: CustomStringConvertible {
    /// `name: users, items, interactions; lengths; density; what else it carries`.
    public var description: String {
        var lengths = (1..<max(1, users.count)).map { length(of: $0) }
        lengths.sort()
        let median = lengths.isEmpty ? 0 : lengths[lengths.count / 2]
        let cells = Double(max(1, userCount)) * Double(max(1, itemCount))
        let density = Double(interactionCount) / cells * 100
        var parts = ["\(name): \(userCount) users, \(itemCount) items, \(interactionCount) interactions",
                     "length min \(lengths.first ?? 0) / median \(median) / max \(lengths.last ?? 0)",
                     "density \(formatPercent(density))"]
        if itemText != nil { parts.append("item text") }
        if let f = itemFeatures { parts.append("item features \(f.width)-d" + (wordDropFeatures != nil ? " (and word-dropped)" : "")) }
        if let a = itemAttributes, !a.columns.isEmpty { parts.append("item attributes \(a.names.joined(separator: ", "))") }
        if let a = userAttributes, !a.columns.isEmpty { parts.append("user attributes \(a.names.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}

/// A percentage with two decimals, without Foundation's locale-dependent formatting.
func formatPercent(_ x: Double) -> String {
    let hundredths = Int((x * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
}
