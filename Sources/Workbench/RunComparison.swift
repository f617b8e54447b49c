// `compare(a, b)`: two runs side by side, what differs first. Reproducibility questions ("why did
// these two runs give different numbers?") start with: same script? same seed? same data? same
// machine and threads? then the parameters and the last value of each metric.

import Foundation
import Script
import Store

/// Two runs from the store, compared field by field.
final class RunComparisonObject: ScriptObject {
    let a: RunDetail, b: RunDetail
    init(_ a: RunDetail, _ b: RunDetail) {
        self.a = a
        self.b = b
    }

    var typeName: String { "Comparison" }
    var oneLine: String { "run \(a.run.id) vs run \(b.run.id)" }

    /// Rows of (what, value in a, value in b), identity first, then parameters and metrics by name.
    var rows: [(String, String, String)] {
        func dataIdentity(_ d: RunDetail) -> String {
            d.datasets.isEmpty ? "-" : d.datasets.map { String($0.sha256.prefix(8)) }.joined(separator: ",")
        }
        var rows: [(String, String, String)] = [
            ("status", a.run.status.rawValue, b.run.status.rawValue),
            ("script sha256", String(a.run.scriptSHA256.prefix(12)), String(b.run.scriptSHA256.prefix(12))),
            ("seed", String(a.run.info.seed), String(b.run.info.seed)),
            ("threads", "\(a.run.info.threads)/\(a.run.info.blasThreads)", "\(b.run.info.threads)/\(b.run.info.blasThreads)"),
            ("blas", a.run.info.blas, b.run.info.blas),
            ("cpu", a.run.info.cpuModel, b.run.info.cpuModel),
            ("seqlab", a.run.info.version + " " + (a.run.info.gitCommit.map { String($0.prefix(8)) } ?? "-"),
             b.run.info.version + " " + (b.run.info.gitCommit.map { String($0.prefix(8)) } ?? "-")),
            ("data sha256", dataIdentity(a), dataIdentity(b)),
        ]
        let keys = Set(a.parameters.map(\.key) + b.parameters.map(\.key)).sorted()
        for k in keys {
            rows.append(("param " + k, a.parameters.first { $0.key == k }?.value ?? "-",
                         b.parameters.first { $0.key == k }?.value ?? "-"))
        }
        func last(_ d: RunDetail, _ name: String) -> String {
            guard let p = d.metrics.last(where: { $0.name == name }) else { return "-" }
            return "\(p.value) @\(p.step)"
        }
        for name in Set(a.metrics.map(\.name) + b.metrics.map(\.name)).sorted() {
            rows.append(("last " + name, last(a, name), last(b, name)))
        }
        return rows
    }

    var summary: String {
        let table = [("", "run \(a.run.id)", "run \(b.run.id)")] + rows
        let w0 = table.map(\.0.count).max()!, w1 = table.map(\.1.count).max()!
        return table.map { row in
            let mark = row.0.isEmpty || row.1 == row.2 ? " " : "≠"
            return "\(mark) " + row.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + row.2
        }.joined(separator: "\n").replacingOccurrences(of: " +\n", with: "\n", options: .regularExpression)
    }
}
