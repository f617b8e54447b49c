// Plain-text renderings of the store for `seqlab runs`, `seqlab show RUN` and the language's `runs()`
// and `run(id)`. Plain ASCII columns with no colour codes, so output can be recorded in notebooks and
// compared byte for byte; times are UTC so the text does not depend on the viewer's time zone.
import Foundation

/// Renders runs as aligned plain-text tables.
public enum RunText {
    /// A table of runs, one line each, in the order given (`RunStore.runs` gives most recent first).
    public static func table(_ runs: [Run]) -> String {
        if runs.isEmpty { return "no runs yet" }
        let rows = runs.map { run in
            [
                String(run.id), run.info.kind.rawValue, run.status.rawValue, run.verdict.map(shortVerdict) ?? "-",
                clock(run.startedAt), duration(run), String(run.info.seed),
                "\(run.info.threads)/\(run.info.blasThreads)", String(run.scriptSHA256.prefix(8)),
                run.info.scriptPath ?? "(interactive)",
            ]
        }
        return align(
            header: ["ID", "KIND", "STATUS", "VERDICT", "STARTED (UTC)", "TIME", "SEED", "THREADS", "SHA256", "SCRIPT"],
            rows: rows, rightAligned: [0, 5, 6])
    }

    /// A verdict's first line (the table has one line per run; `show` gives the whole verdict).
    static func shortVerdict(_ verdict: String) -> String {
        String(verdict.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    /// Everything about one run: its record, then parameters, datasets, artifacts and a metric summary.
    public static func detail(_ detail: RunDetail) -> String {
        let run = detail.run
        let info = run.info
        var fields: [(String, String)] = [
            ("kind", info.kind.rawValue),
            ("status", run.status.rawValue),
            ("started", clock(run.startedAt) + " UTC"),
            ("ended", run.endedAt.map { clock($0) + " UTC (" + duration(run) + ")" } ?? "-"),
            ("script", (info.scriptPath ?? "(interactive)") + ", sha256 " + run.scriptSHA256),
            ("seqlab", info.version + (info.gitCommit.map { " (git \($0))" } ?? "")),
            ("seed", String(info.seed)),
            ("threads", "\(info.threads), BLAS \(info.blasThreads)"),
            ("cpu", info.cpuModel),
            ("blas", info.blas),
            ("numerics", info.numerics.isEmpty ? "-" : info.numerics),
            ("process", "\(info.pid) on \(info.hostname)"),
        ]
        if let error = run.error { fields.append(("error", error)) }
        var out = "run \(run.id)\n"
        out += align(header: nil, rows: fields.map { [$0.0, $0.1] }, rightAligned: [], indent: "  ")
        if let verdict = run.verdict {
            out += "\n\nverdict\n" + verdict.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + $0 }.joined(separator: "\n")
        }

        out += "\n\nparameters\n"
        out += detail.parameters.isEmpty
            ? "  none"
            : align(header: ["KEY", "VALUE"], rows: detail.parameters.map { [$0.key, $0.value] }, indent: "  ")

        out += "\n\ndatasets\n"
        out += detail.datasets.isEmpty
            ? "  none"
            : align(
                header: ["NAME", "BYTES", "SHA256", "PATH"],
                rows: detail.datasets.map { [$0.name, String($0.bytes), String($0.sha256.prefix(16)), $0.path] },
                rightAligned: [1], indent: "  ")

        out += "\n\nartifacts\n"
        out += detail.artifacts.isEmpty
            ? "  none"
            : align(
                header: ["ID", "NAME", "KIND", "BYTES", "SAVED (UTC)"],
                rows: detail.artifacts.map { [String($0.id), $0.name, $0.kind, String($0.bytes), clock($0.createdAt)] },
                rightAligned: [0, 3], indent: "  ")

        out += "\n\nresults\n"
        out += detail.results.isEmpty
            ? "  none"
            : align(
                header: ["SOURCE", "MODEL", "SPLIT", "METRIC", "VALUE", "PROTOCOL"],
                rows: detail.results.map { [$0.source, $0.model, $0.split, $0.metric, number($0.value), $0.evaluationProtocol] },
                rightAligned: [4], indent: "  ")

        out += "\n\nmetrics\n"
        let summaries = summarize(detail.metrics)
        out += summaries.isEmpty
            ? "  none"
            : align(
                header: ["NAME", "SPLIT", "POINTS", "STEPS", "LAST", "MIN", "MAX"],
                rows: summaries.map { s in
                    [s.name, s.split ?? "-", String(s.count), "\(s.firstStep)-\(s.lastStep)", number(s.last),
                     number(s.min), number(s.max)]
                },
                rightAligned: [2, 3, 4, 5, 6], indent: "  ")

        out += "\n\ntranscript\n"
        out += detail.transcript.isEmpty ? "  none" : transcript(detail.transcript)
        return out
    }

    /// Statements as a notebook shows them (source, then `#> ` output), each unfinished one marked.
    static func transcript(_ entries: [TranscriptEntry]) -> String {
        var lines: [String] = []
        for e in entries {
            lines += e.source.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
            lines += e.output.map { $0.isEmpty ? "  #>" : "  #> " + $0 }
            switch e.end {
            case .ok: break
            case .failed: lines.append("  (failed" + (e.note.map { ": " + $0 } ?? "") + ")")
            case .interrupted: lines.append("  (interrupted" + (e.note.map { ": " + $0 } ?? "") + ")")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One line per (name, split) of a run's metrics, in order of name then split.
    struct MetricSummary {
        var name: String
        var split: String?
        var count = 0
        var firstStep = 0
        var lastStep = 0
        var last = Double.nan
        var min = Double.nan
        var max = Double.nan
    }

    // Groups with a sort rather than a Dictionary so no hash order can leak into the text.
    static func summarize(_ points: [MetricPoint]) -> [MetricSummary] {
        let sorted = points.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.name != y.name { return x.name < y.name }
            if x.split != y.split {
                // No split sorts before every named one, and nil never ties with "".
                guard let xs = x.split else { return true }
                guard let ys = y.split else { return false }
                return xs < ys
            }
            if x.step != y.step { return x.step < y.step }
            return a.offset < b.offset
        }.map(\.element)
        var out: [MetricSummary] = []
        for p in sorted {
            if out.last?.name != p.name || out.last?.split != p.split {
                out.append(MetricSummary(name: p.name, split: p.split, firstStep: p.step))
            }
            out[out.count - 1].count += 1
            out[out.count - 1].lastStep = p.step
            out[out.count - 1].last = p.value
            // NaN never wins a comparison, so min/max skip it and stay NaN only if every value is NaN.
            if !p.value.isNaN {
                let s = out[out.count - 1]
                out[out.count - 1].min = s.min.isNaN ? p.value : Swift.min(s.min, p.value)
                out[out.count - 1].max = s.max.isNaN ? p.value : Swift.max(s.max, p.value)
            }
        }
        return out
    }

    /// A date as "2025-11-23 10:44:03" in UTC.
    static func clock(_ date: Date) -> String {
        let text = Timestamp.text(date)  // 2025-11-23T10:44:03.123Z
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8))
    }

    /// How long a run took ("42.1s", "3m07s", "2h05m"), or "-" while it has no end.
    static func duration(_ run: Run) -> String {
        guard let end = run.endedAt else { return "-" }
        let seconds = end.timeIntervalSince(run.startedAt)
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded(.down))
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
    }

    /// A metric value with six significant digits; "nan" and "inf" spelled out the same everywhere.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: "%.6g", value)
    }

    /// Columns padded to their widest cell, two spaces apart, with no trailing spaces.
    static func align(header: [String]?, rows: [[String]], rightAligned: Set<Int> = [], indent: String = "")
        -> String
    {
        let all = (header.map { [$0] } ?? []) + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            var line = indent
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let last = i == row.count - 1
                if rightAligned.contains(i) {
                    line += pad + cell
                } else {
                    line += last ? cell : cell + pad
                }
                if !last { line += "  " }
            }
            return line
        }.joined(separator: "\n")
    }
}
