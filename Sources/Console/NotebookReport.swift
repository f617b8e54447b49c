// A notebook run as one self-contained HTML page: the run's identity on top, then the notebook in
// order — comments as prose, each statement as code with what it showed, every chart it drew as
// inline SVG — and, when the run stopped at an error, the error where it happened and the rest of
// the notebook marked as not run. No scripts, fonts or images are fetched: the file is the record.

import Foundation
import Script
import Support

/// What one notebook run showed, laid out as an HTML page by `html()`.
public struct NotebookReport {
    /// The notebook's path as the user gave it (the page's title, and error positions).
    public let file: String
    /// The notebook's text.
    public let source: String
    /// The statements that ran with their outputs, and the error that stopped the run, if any.
    public let run: NotebookRun
    /// The figures each statement drew, by index into `run.outcomes`.
    public let figures: [Int: [Figure]]
    /// The root seeds in effect after the statements, in the order they were first set.
    public let seeds: [UInt64]
    /// Rows of the header after the seed: what the run was and where it ran ("machine", "numerics",
    /// "dataset" …), in order.
    public let identity: [(label: String, value: String)]

    /// A report from its parts.
    public init(file: String, source: String, run: NotebookRun, figures: [Int: [Figure]], seeds: [UInt64],
                identity: [(label: String, value: String)]) {
        self.file = file
        self.source = source
        self.run = run
        self.figures = figures
        self.seeds = seeds
        self.identity = identity
    }

    /// How many figures the page shows.
    public var figureCount: Int { figures.values.reduce(0) { $0 + $1.count } }

    /// Whether the run stopped at an error (or Ctrl-C) before the notebook's end.
    public var stopped: Bool { !run.errors.isEmpty }

    /// The complete page, UTF-8 HTML5 with its style sheet inline.
    public func html() -> String {
        let name = (file as NSString).lastPathComponent
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="seqlab report">
            <title>\(markupEscaped(name)) — SeqLab report</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(markupEscaped(name))</h1>
            <p class="status \(stopped ? "failed" : "ok")">\(markupEscaped(statusLine))</p>
            <table class="identity">

            """
        let seedText = seeds.isEmpty ? "0 (never set)" : seeds.map(String.init).joined(separator: ", ")
        for (label, value) in [(label: seeds.count > 1 ? "seeds" : "seed", value: seedText)] + identity {
            page += "<tr><th>\(markupEscaped(label))</th><td>\(markupEscaped(value))</td></tr>\n"
        }
        page += "</table>\n</header>\n"
        page += body()
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    /// One sentence on how the run went, for the header.
    var statusLine: String {
        let ran = "\(run.outcomes.count) statement\(run.outcomes.count == 1 ? "" : "s")"
        let drawn = "\(figureCount) figure\(figureCount == 1 ? "" : "s")"
        guard let error = run.errors.first else { return "\(ran) ran without error; \(drawn)." }
        if run.outcomes.isEmpty {
            return "The notebook did not run: \(run.errors.count) syntax error\(run.errors.count == 1 ? "" : "s") (shown below)."
        }
        return "Stopped at an error on line \(error.location.line) (shown below) after \(ran); \(drawn). "
            + "The statements after it did not run."
    }

    // MARK: - The notebook, in order

    /// Prose, cells, the error and what did not run, walking the notebook's lines top to bottom.
    private func body() -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var html = "", next = 1   // the first line (1-based) not yet shown
        var errorShown = false, figuresShown = 0
        // Statements that share lines (`a = 1; b = 2`) are one cell: the code is shown once.
        var groups: [[Int]] = []
        for (index, outcome) in run.outcomes.enumerated() {
            if let last = groups.last?.last, outcome.statement.location.line <= lastLine(run.outcomes[last].statement) {
                groups[groups.count - 1].append(index)
            } else {
                groups.append([index])
            }
        }
        for group in groups {
            let first = run.outcomes[group[0]].statement.location.line
            let last = group.map { lastLine(run.outcomes[$0].statement) }.max()!
            html += prose(lines, from: next, to: first - 1)
            let error = group.last == run.outcomes.count - 1 ? run.errors.first.flatMap { e in
                e.location.line >= first && e.location.line <= last ? e : nil } : nil
            html += cell(group, code: lines[(first - 1)..<min(last, lines.count)].joined(separator: "\n"), line: first,
                         error: error, figuresBefore: figuresShown)
            figuresShown += group.reduce(0) { $0 + (figures[$1]?.count ?? 0) }
            errorShown = errorShown || error != nil
            next = last + 1
        }
        if stopped {
            if !errorShown { html += errorBlock(run.errors) }
            let rest = lines.indices.dropFirst(next - 1).filter { !isRecorded(lines[$0]) }.map { lines[$0] }
            if rest.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                html += "<section class=\"not-run\">\n<p class=\"note\">Not run: the notebook stopped at the error above.</p>\n"
                html += "<pre class=\"code\">\(markupEscaped(rest.joined(separator: "\n")))</pre>\n</section>\n"
            }
        } else {
            html += prose(lines, from: next, to: lines.count)
        }
        return html
    }

    /// The last line of a statement (a one-line statement ends where it starts).
    private func lastLine(_ statement: Statement) -> Int { max(statement.location.line, statement.endLine) }

    /// Recorded outputs and the numerics line belong to the recording, not to what is read.
    private func isRecorded(_ line: String) -> Bool {
        Notebook.isOutputLine(Substring(line)) || line.hasPrefix(Notebook.numericsPrefix)
    }

    /// The comment lines between statements as paragraphs: a blank line ends one, and lines indented
    /// after the `#` (a command, a sketch) keep their layout.
    private func prose(_ lines: [String], from first: Int, to last: Int) -> String {
        guard first <= last else { return "" }
        var blocks: [String] = [], paragraph: [String] = [], verbatim: [String] = []
        func flush() {
            if !paragraph.isEmpty { blocks.append("<p>\(markupEscaped(paragraph.joined(separator: " ")))</p>") }
            if !verbatim.isEmpty { blocks.append("<pre class=\"aside\">\(markupEscaped(verbatim.joined(separator: "\n")))</pre>") }
            paragraph = []
            verbatim = []
        }
        for line in lines[(first - 1)..<min(last, lines.count)] where !isRecorded(line) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("#") else {
                flush()
                // Code outside any statement that ran cannot occur in a parsed notebook, but a line the
                // parser skipped is still shown rather than dropped.
                if !trimmed.isEmpty { blocks.append("<pre class=\"code\">\(markupEscaped(line))</pre>") }
                continue
            }
            var text = Substring(trimmed.dropFirst())
            if text.hasPrefix(" ") { text = text.dropFirst() }
            if text.first == " " || text.first == "\t" {
                if !paragraph.isEmpty { flush() }
                verbatim.append(String(text))
            } else {
                if !verbatim.isEmpty { flush() }
                if text.isEmpty { flush() } else { paragraph.append(String(text)) }
            }
        }
        flush()
        return blocks.isEmpty ? "" : "<section class=\"prose\">\n" + blocks.joined(separator: "\n") + "\n</section>\n"
    }

    /// A statement (or statements on shared lines): the code, what they showed, their figures and
    /// the error that stopped the run at them. `figuresBefore` counts the figures shown above it.
    private func cell(_ group: [Int], code: String, line: Int, error: ScriptError?, figuresBefore: Int) -> String {
        let output = group.flatMap { run.outcomes[$0].output }
        let drawn = group.flatMap { figures[$0] ?? [] }
        var html = "<section class=\"cell\(error == nil ? "" : " failed")\" id=\"line-\(line)\">\n"
        html += "<div class=\"where\">line \(line)</div>\n<pre class=\"code\">\(markupEscaped(code))</pre>\n"
        let text = output.joined(separator: "\n")
        if !output.isEmpty && !(output.count == 1 && output[0].isEmpty) {
            if drawn.isEmpty {
                html += "<pre class=\"output\">\(markupEscaped(text))</pre>\n"
            } else {
                // The figure shows what the terminal text drew; the text stays one click away.
                html += "<details><summary>as text in the terminal</summary><pre class=\"output\">\(markupEscaped(text))</pre></details>\n"
            }
        }
        // No caption: every chart draws its title, and the SVG carries it as its accessible name.
        for (k, figure) in drawn.enumerated() {
            html += "<figure>\n\(inlineSVG(figure, number: figuresBefore + k + 1))\n</figure>\n"
        }
        if let error { html += errorBlock([error]) }
        return html + "</section>\n"
    }

    /// The error (or syntax errors) that stopped the run, rendered as the terminal shows them.
    private func errorBlock(_ errors: [ScriptError]) -> String {
        let text = errors.map { $0.rendered(file: file, source: source) }.joined(separator: "\n")
        return "<div class=\"error\" role=\"alert\"><p><strong>Error: the notebook stopped here.</strong></p>"
            + "<pre>\(markupEscaped(text))</pre></div>\n"
    }

    /// `figure`'s SVG for embedding in HTML: without its XML declaration, labelled for screen readers,
    /// and with its element ids (gradients) prefixed so that two figures on one page never share one.
    func inlineSVG(_ figure: Figure, number: Int) -> String {
        var svg = Substring(figure.svg)
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") { svg = svg[end.upperBound...] }
        var text = String(svg).trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "figure\(number)-"
        for id in Self.elementIDs(in: text) {
            text = text.replacingOccurrences(of: "id=\"\(id)\"", with: "id=\"\(prefix)\(id)\"")
                .replacingOccurrences(of: "url(#\(id))", with: "url(#\(prefix)\(id))")
                .replacingOccurrences(of: "href=\"#\(id)\"", with: "href=\"#\(prefix)\(id)\"")
        }
        if text.hasPrefix("<svg ") {
            text = "<svg role=\"img\" aria-label=\"\(markupEscaped(figure.title))\" " + text.dropFirst(5)
        }
        return text
    }

    /// The values of every `id="…"` attribute in `markup`, once each, in order.
    static func elementIDs(in markup: String) -> [String] {
        var ids: [String] = [], rest = Substring(markup)
        while let start = rest.range(of: " id=\"") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let id = String(rest[..<end])
            if !ids.contains(id) { ids.append(id) }
            rest = rest[end...]
        }
        return ids
    }

    /// The page's style: system fonts only (nothing is fetched), code and output in a monospace
    /// face, figures scaled down to the column's width.
    static let style = """

        :root { color-scheme: light; }
        body { margin: 0; background: #f6f6f4; color: #1d1d1f;
               font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 64px; background: #ffffff; }
        h1 { font-size: 26px; margin: 8px 0 4px; }
        .status { margin: 0 0 12px; font-weight: 600; }
        .status.ok { color: #1a7f37; }
        .status.failed { color: #b42318; }
        table.identity { border-collapse: collapse; font-size: 13px; margin-bottom: 20px; width: 100%; }
        table.identity th { text-align: left; vertical-align: top; padding: 3px 14px 3px 0; color: #555;
                            font-weight: 600; white-space: nowrap; width: 1%; }
        table.identity td { padding: 3px 0; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
                            overflow-wrap: anywhere; }
        header { border-bottom: 1px solid #ddd; margin-bottom: 16px; }
        .prose p { margin: 18px 0 8px; }
        pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere;
              font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        pre.aside { margin: 6px 0 6px 16px; color: #333; }
        .cell { position: relative; margin: 10px 0 14px; }
        .where { position: absolute; right: 8px; top: 5px; font-size: 11px; color: #888; }
        pre.code { background: #f3f4f8; border-left: 3px solid #6b7bb5; padding: 7px 64px 7px 10px; }
        pre.output { border-left: 3px solid #d0d0d0; padding: 6px 10px; margin-top: 4px; }
        details { margin-top: 4px; }
        summary { font-size: 13px; color: #555; cursor: pointer; }
        figure { margin: 10px 0 4px; }
        figure svg { display: block; max-width: 100%; height: auto; }
        .error { border: 1px solid #f1aeb5; background: #fdf0f1; padding: 8px 10px; margin-top: 6px; }
        .error p { margin: 0 0 4px; color: #b42318; }
        .not-run { opacity: 0.6; margin-top: 14px; }
        .note { font-size: 13px; margin: 0 0 4px; }
        @media print { body { background: #fff; } main { padding: 0; } details { display: none; } }

        """
}

