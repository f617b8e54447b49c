// `seqlab report`, driven through the executable as a user would: the page has the identity header,
// the prose, every statement and its output HTML-escaped, one inline SVG per figure (a line plot
// and a grid of attention heatmaps) and nothing fetched from elsewhere; the run is in the store. A
// notebook that stops at an error still gets its page, with the error in place, and exits 2; an
// unreadable notebook or an unwritable page is a clear error before anything runs.

import Foundation
import Store
import TestSupport
import XCTest

final class ReportTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "seqlab-report-\(getpid())-\(name.hashValue & 0xffff)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func seqlab(_ arguments: [String]) throws -> (Int32, String, String) { try runSeqlab(arguments) }

    /// How often `needle` occurs in `text`.
    func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testReportShowsIdentityStatementsOutputsAndEveryFigure() throws {
        let notebook = directory + "/tiny.seqlab", page = directory + "/tiny.html", store = directory + "/runs.sqlite"
        try """
        # A tiny report: <b>bold</b> & more.
        seed(3)
        w = synthetic("toy", seed: 1); s = w.split(maxLength: 20)

        # Training, then its curve.
        m = sasrec(s, hidden: 16, layers: 2, heads: 2, inner: 32, dropout: 0.2, seed: 3);
        h = m.fit(s, epochs: 2, batch: 64, lr: 0.003, patience: none);
        plot(h, "loss")
        m.attention(items: ["Lost Canyon Sheriff", "Sheriff Outlaw", "Stagecoach Canyon"], layer: "all");
        print("<tag> & \\"quoted\\"")
        """.write(toFile: notebook, atomically: true, encoding: .utf8)

        let (status, out, err) = try seqlab(["report", notebook, "-o", page, "--store", store])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.hasPrefix("wrote \(page) ("), out)
        XCTAssertTrue(out.hasSuffix("): 8 statements, 2 figures\n"), out)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(out.contains("\(html.utf8.count) bytes") || out.contains(String(format: "%.1f kB", Double(html.utf8.count) / 1000)), out)

        // The header: seed, run, machine, numerics, the dataset with its fingerprint.
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("<h1>tiny.seqlab</h1>"))
        XCTAssertTrue(html.contains("8 statements ran without error; 2 figures."), html)
        XCTAssertTrue(html.contains("<tr><th>seed</th><td>3</td></tr>"), html)
        for label in ["run", "notebook", "machine", "numerics", "dataset"] {
            XCTAssertTrue(html.contains("<tr><th>\(label)</th><td>"), label)
        }
        XCTAssertTrue(html.contains("<td>#1 in \(store), started "), html)
        XCTAssertTrue(html.contains(" kernels, split "), "the numeric identity")
        XCTAssertTrue(html.contains("<td>synthetic-movies (s, w): 300 users, 200 items, 5902 interactions, made in the notebook; content fingerprint "), html)

        // Prose as prose, code and output escaped, statements sharing a line shown once.
        XCTAssertTrue(html.contains("<p>A tiny report: &lt;b&gt;bold&lt;/b&gt; &amp; more.</p>"))
        XCTAssertTrue(html.contains("<p>Training, then its curve.</p>"))
        XCTAssertEqual(occurrences(of: "w = synthetic(&quot;toy&quot;, seed: 1); s = w.split(maxLength: 20)", in: html), 1)
        XCTAssertTrue(html.contains("<pre class=\"code\">print(&quot;&lt;tag&gt; &amp; \\&quot;quoted\\&quot;&quot;)</pre>"), html)
        XCTAssertTrue(html.contains("<pre class=\"output\">&lt;tag&gt; &amp; &quot;quoted&quot;</pre>"), html)
        XCTAssertFalse(html.contains("<tag>") || html.contains("<b>"), "nothing from the notebook is markup")
        XCTAssertTrue(html.contains("<pre class=\"output\">Split of synthetic-movies: leave-one-out"), "an assignment's summary")

        // One inline SVG per figure, inside its statement's cell; the plot's terminal text kept beside it.
        XCTAssertEqual(occurrences(of: "<svg ", in: html), 2)
        XCTAssertEqual(occurrences(of: "<figure>", in: html), 2)
        XCTAssertFalse(html.contains("<?xml"))
        let plotCell = try XCTUnwrap(html.range(of: "<pre class=\"code\">plot(h, &quot;loss&quot;)</pre>"))
        let attentionCell = try XCTUnwrap(html.range(of: "<pre class=\"code\">m.attention("))
        let firstSVG = try XCTUnwrap(html.range(of: "<svg "))
        XCTAssertTrue(plotCell.upperBound < firstSVG.lowerBound && firstSVG.lowerBound < attentionCell.lowerBound)
        XCTAssertTrue(html[firstSVG.lowerBound...].hasPrefix("<svg role=\"img\" aria-label=\"sasrec: training loss per epoch\" "))
        XCTAssertTrue(html.contains("<summary>as text in the terminal</summary><pre class=\"output\">sasrec: training loss per epoch\n"))
        // The attention grid: four panels (2 layers × 2 heads), gradient ids unique on the page.
        XCTAssertEqual(occurrences(of: "<g transform=\"translate(", in: html), 4)
        XCTAssertTrue(html.contains("id=\"figure2-heat-scale-4\"") && html.contains("url(#figure2-heat-scale-4)"))
        XCTAssertEqual(occurrences(of: "<polyline ", in: html), 1)

        // Self-contained: nothing to fetch.
        for external in ["<script", "<link", "<img", "src=", "@import", "url(http", "https://"] {
            XCTAssertFalse(html.contains(external), external)
        }

        // Recorded like `seqlab run`.
        let runs = try RunStore.open(path: store).runs()
        XCTAssertEqual(runs.map(\.status), [.finished])
        XCTAssertEqual(runs.first?.info.seed, 3)
    }

    func testAnErrorIsShownWhereItHappenedAndExitsNonZero() throws {
        let notebook = directory + "/broken.seqlab", page = directory + "/broken.html", store = directory + "/runs.sqlite"
        try """
        # Three statements, the third misspelt.
        seed(5)
        x = 1 + 2
        x * 10
        #> 30
        y = x + undefined_name
        # Never reached.
        x
        """.write(toFile: notebook, atomically: true, encoding: .utf8)
        let (status, out, err) = try seqlab(["report", notebook, "-o", page, "--store", store])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(err.contains("broken.seqlab:6:"), err)
        XCTAssertTrue(out.contains("wrote \(page) ("), out)
        XCTAssertTrue(out.contains("4 statements, 0 figures; the notebook stopped at an error on line 6, shown there in the report"), out)

        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(html.contains("<p class=\"status failed\">Stopped at an error on line 6"), html)
        // The error sits in the failing statement's cell, after its code; what follows is marked not run.
        let failing = try XCTUnwrap(html.range(of: "<section class=\"cell failed\" id=\"line-6\">"))
        let error = try XCTUnwrap(html.range(of: "<div class=\"error\" role=\"alert\"><p><strong>Error: the notebook stopped here.</strong></p><pre>"))
        XCTAssertLessThan(failing.lowerBound, error.lowerBound)
        XCTAssertTrue(html.contains(":6:"), "the rendered error with its position")
        let notRun = try XCTUnwrap(html.range(of: "<p class=\"note\">Not run: the notebook stopped at the error above.</p>"))
        XCTAssertLessThan(error.lowerBound, notRun.lowerBound)
        XCTAssertTrue(html[notRun.upperBound...].contains("# Never reached.\nx</pre>"))
        // Outputs recorded in the notebook are not shown as prose: the run's own output is.
        XCTAssertFalse(html.contains("#&gt; 30"))
        XCTAssertTrue(html.contains("<pre class=\"output\">30</pre>"))
        XCTAssertEqual(try RunStore.open(path: store).runs().map(\.status), [.failed])
    }

    func testUnreadableNotebookAndUnwritablePageAreErrorsNamingThePath() throws {
        let store = directory + "/runs.sqlite"
        let missing = directory + "/missing.seqlab"
        let (status, _, err) = try seqlab(["report", missing, "-o", directory + "/m.html", "--store", store])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(err.contains("\(missing): error: cannot read the file"), err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/m.html"))

        let notebook = directory + "/ok.seqlab"
        try "seed(1)\n1 + 1\n".write(toFile: notebook, atomically: true, encoding: .utf8)
        let nowhere = directory + "/no-such-dir/ok.html"
        let (status2, out2, err2) = try seqlab(["report", notebook, "-o", nowhere, "--store", store])
        XCTAssertEqual(status2, 2)
        XCTAssertTrue(err2.contains("\(nowhere): error: cannot write the report: the directory '\(directory)/no-such-dir' does not exist"), err2)
        XCTAssertEqual(out2, "", "the notebook did not run")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store), "no run was started")

        // A directory in the page's place.
        let (status3, _, err3) = try seqlab(["report", notebook, "-o", directory, "--store", store])
        XCTAssertEqual(status3, 2)
        XCTAssertTrue(err3.contains("it is a directory; give a file name"), err3)

        // Nor the notebook itself.
        let (status5, _, err5) = try seqlab(["report", notebook, "-o", directory + "/./ok.seqlab", "--store", store])
        XCTAssertEqual(status5, 2)
        XCTAssertTrue(err5.contains("error: the report would replace the notebook; give another path with -o"), err5)
        XCTAssertEqual(try String(contentsOfFile: notebook, encoding: .utf8), "seed(1)\n1 + 1\n")

        // Without -o the page goes beside the notebook.
        let (status4, out4, err4) = try seqlab(["report", notebook, "--store", store])
        XCTAssertEqual(status4, 0, err4)
        XCTAssertTrue(out4.hasPrefix("wrote \(directory)/ok.html ("), out4)
        XCTAssertTrue(try String(contentsOfFile: directory + "/ok.html", encoding: .utf8).contains("<pre class=\"output\">2</pre>"))
    }
}
