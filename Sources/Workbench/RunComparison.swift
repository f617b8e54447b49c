// `compare(a, b)` and `compare([a, b, c, ...])` of run ids: runs side by side, what differs first.
// Reproducibility questions ("why did these runs give different numbers?") start with: same script?
// same seed? same data? same machine and threads? then the parameters and the last value of each
// metric. Values print rounded; `rows` and `write` keep them exact.

import Foundation
import Script
import Store

/// Runs from the store, compared field by field.
final class RunComparisonObject: ScriptObject {
    let details: [RunDetail]
    init(_ details: [RunDetail]) { self.details = details }

    var typeName: String { "Comparison" }
    var oneLine: String { details.map { "run \($0.run.id)" }.joined(separator: " vs ") }
    var length: Int? { details.count }

    /// Rows of (what, one value per run), identity first, then parameters and metrics by name.
    /// Metric values are exact here (`rows`, `write`); `summary` rounds them.
    var fieldRows: [(name: String, values: [String])] {
        func dataIdentity(_ d: RunDetail) -> String {
            d.datasets.isEmpty ? "-" : d.datasets.map { String($0.sha256.prefix(8)) }.joined(separator: ",")
        }
        func field(_ name: String, _ value: (RunDetail) -> String) -> (name: String, values: [String]) { (name, details.map(value)) }
        var rows: [(name: String, values: [String])] = [
            field("status") { $0.run.status.rawValue },
            field("script sha256") { String($0.run.scriptSHA256.prefix(12)) },
            field("seed") { String($0.run.info.seed) },
            field("threads") { "\($0.run.info.threads)/\($0.run.info.blasThreads)" },
            field("numerics") { $0.run.info.numerics },
            field("blas") { $0.run.info.blas },
            field("cpu") { $0.run.info.cpuModel },
            field("seqlab") { $0.run.info.version + " " + ($0.run.info.gitCommit.map { String($0.prefix(8)) } ?? "-") },
            field("data sha256", dataIdentity),
        ]
        let keys = Set(details.flatMap { $0.parameters.map(\.key) }).sorted()
        for k in keys {
            rows.append(field("param " + k) { d in d.parameters.first { $0.key == k }?.value ?? "-" })
        }
        for name in Set(details.flatMap { $0.metrics.map(\.name) }).sorted() {
            rows.append(field("last " + name) { d in
                guard let p = d.metrics.last(where: { $0.name == name }) else { return "-" }
                return "\(formatNumber(p.value)) @\(p.step)"
            })
        }
        return rows
    }

    var summary: String {
        // Printed metric values are rounded like every printed number.
        func rounded(_ name: String, _ value: String) -> String {
            guard name.hasPrefix("last "), let at = value.range(of: " @"), let x = Double(value[..<at.lowerBound]) else { return value }
            return displayNumber(x) + value[at.lowerBound...]
        }
        let table = [("", details.map { "run \($0.run.id)" })] + fieldRows.map { row in (row.name, row.values.map { rounded(row.name, $0) }) }
        let w0 = table.map(\.0.count).max()!
        let widths = details.indices.map { i in table.map { $0.1[i].count }.max()! }
        return table.map { row in
            let mark = row.0.isEmpty || Set(row.1).count == 1 ? " " : "≠"
            let cells = row.1.enumerated().map { i, v in i == row.1.count - 1 ? v : v.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            return "\(mark) " + row.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + cells.joined(separator: "  ")
        }.joined(separator: "\n").replacingOccurrences(of: " +\n", with: "\n", options: .regularExpression)
    }
}
