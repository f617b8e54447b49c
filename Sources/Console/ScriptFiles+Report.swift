// `seqlab report FILE -o PAGE.html`: runs a notebook as `seqlab run` does, collecting the figures
// each statement draws and the seeds it sets, and writes the run as one HTML page (NotebookReport).
// A run that stops at an error still gets its page, with the error where it happened; the exit
// code then says so (2), as `seqlab run` would.

import Foundation
import Script
import Support

extension ScriptFiles {
    /// The report's path when none is given: the notebook's, with `.html` for its extension.
    public static func defaultReportPath(for notebook: String) -> String {
        let url = URL(fileURLWithPath: notebook)
        let base = url.pathExtension.isEmpty ? notebook : String(notebook.dropLast(url.pathExtension.count + 1))
        return base + ".html"
    }

    /// Whether a report can be written to `page`, checked before the notebook runs (which may take
    /// hours): its directory exists, it is not a directory, and it is not the notebook itself.
    /// Prints the reason when not.
    public static func canWriteReport(to page: String, notebook: String) -> Bool {
        let same = URL(fileURLWithPath: page).standardizedFileURL.resolvingSymlinksInPath()
            == URL(fileURLWithPath: notebook).standardizedFileURL.resolvingSymlinksInPath()
        if same {
            printError("\(page): error: the report would replace the notebook; give another path with -o")
            return false
        }
        do { try AtomicFile.checkWritable(page) } catch {
            printError("\(page): error: cannot write the report: \(error.message)")
            return false
        }
        return true
    }

    /// Runs `source` and writes its report to `output` atomically. `identity` is asked after the
    /// run for the header rows that describe it (machine, numerics, datasets). Prints errors to
    /// stderr as `run` does, and one line saying what was written to stdout. Exit code 0, or 2
    /// when the notebook stopped at an error or the page could not be written.
    public static func report(source: String, file: String, output: String, interpreter: Interpreter,
                              identity: () -> [(label: String, value: String)]) -> ScriptOutcome {
        let collector = FigureCollector.install(in: interpreter)
        var figures: [Int: [Figure]] = [:]
        var seeds: [UInt64] = []
        let initialSeed = interpreter.seed
        let result = Notebook.run(source, interpreter: interpreter, ended: { index in
            let drawn = collector.take()
            if !drawn.isEmpty { figures[index] = drawn }
            if interpreter.seed != (seeds.last ?? initialSeed) { seeds.append(interpreter.seed) }
        })
        if !result.errors.isEmpty { self.report(result.errors, file: file, source: source) }
        let page = NotebookReport(file: file, source: source, run: result, figures: figures,
                                  seeds: seeds.isEmpty ? [initialSeed] : seeds, identity: identity())
        let html = page.html()
        do { try AtomicFile.write(html, to: output) } catch {
            printError("\(output): error: cannot write the report: \(error.message)")
            return ScriptOutcome(code: 2, run: result, verdict: nil)
        }
        let statements = "\(result.outcomes.count) statement\(result.outcomes.count == 1 ? "" : "s")"
        let drawn = "\(page.figureCount) figure\(page.figureCount == 1 ? "" : "s")"
        var line = "wrote \(output) (\(sizeText(html.utf8.count))): \(statements), \(drawn)"
        if let error = result.errors.first {
            line += result.outcomes.isEmpty
                ? "; the notebook did not run (an error on line \(error.location.line)), shown in the report"
                : "; the notebook stopped at an error on line \(error.location.line), shown there in the report"
        }
        print(line)
        return ScriptOutcome(code: result.errors.isEmpty ? 0 : 2, run: result, verdict: nil)
    }

    /// A file size for people: bytes below 10 kB, then kB or MB with one decimal.
    static func sizeText(_ bytes: Int) -> String {
        if bytes < 10_000 { return "\(bytes) bytes" }
        if bytes < 10_000_000 { return String(format: "%.1f kB", Double(bytes) / 1000) }
        return String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
