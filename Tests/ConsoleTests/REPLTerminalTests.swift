// Drives the real REPL in a pseudo-terminal (tmux): a typo gets an error with a suggestion, Tab
// completes a name, :save writes a notebook, and `seqlab check` accepts the saved file.

import Foundation
import TestSupport
import XCTest

final class REPLTerminalTests: XCTestCase {
    /// A loop of 10⁹ iterations that says, from inside, when it is running: 1234 · 5 at j = 1234.
    static let loop = "for i in range(1000) { for j in range(1000000) { spin = j; if j == 1234 { print(j * 5) } } }"

    /// Runs a shell command with system(3) and returns its exit status and output. Foundation's
    /// Process never reaps tmux's client here (it daemonizes), so it is not used for tmux.
    @discardableResult
    func shell(_ command: String) -> (Int32, String) {
        let out = NSTemporaryDirectory() + "seqlab-shell-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = system("\(command) > \(out) 2>&1 < /dev/null")
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (status == -1 ? -1 : (status >> 8) & 0xFF, text)
    }

    func testTypoSuggestionTabCompletionSaveAndCheck() throws {
        guard let binary = seqlabBinary else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        guard shell("tmux -V").0 == 0 else { try skipTest("tmux is not installed") }
        let home = NSTemporaryDirectory() + "seqlab-repl-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = "seqlab-test-\(getpid())"
        let tmux = "tmux -L \(session)"
        XCTAssertEqual(shell("\(tmux) new-session -d -s \(session) -x 160 -y 50 'env HOME=\(home) \(binary)'").0, 0)
        defer { shell("\(tmux) kill-server") }

        func screen() throws -> String { shell("\(tmux) capture-pane -p -t \(session)").1 }
        func waitFor(_ text: String, timeout: Double = 10) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = try screen()
                if last.contains(text) { return last }
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTFail("timed out waiting for \(text); screen:\n\(last)")
            return last
        }
        func type(_ keys: String...) throws {
            let quoted = keys.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            shell("\(tmux) send-keys -t \(session) " + quoted.joined(separator: " "))
        }

        _ = try waitFor("seqlab>")
        try type("counter = [4, 5]", "Enter")
        try type("len(cuonter)", "Enter")
        _ = try waitFor("did you mean 'counter'?")
        try type("len(coun", "Tab")
        _ = try waitFor("len(counter")
        try type(")", "Enter")
        _ = try waitFor("\n2")
        try type("total = {", "Enter")
        _ = try waitFor("...>")
        try type("n: 3}", "Enter")
        try type("total.n", "Enter")
        // An entry that fails part-way keeps what ran; a multi-line entry keeps each output under its line.
        try type("keep = 5; lost = nope", "Enter")
        _ = try waitFor("unknown name 'nope'")
        try type("print(keep); if true {", "Enter")
        try type("print(keep + 1) }", "Enter")
        _ = try waitFor("\n6")
        let notebook = home + "/saved.seqlab"
        try type(":save \(notebook)", "Enter")
        _ = try waitFor("saved 7 statements")

        // Ctrl-C while typing drops the line; Ctrl-C during a long loop stops it at the next
        // iteration and the session (and the loop variable) stays usable. (After the first :save,
        // whose notebook must replay: the loop's partial effect would not.) The loop would run for
        // minutes; it prints 6170 from inside once it is under way, and Ctrl-C goes only after that
        // line is on the screen (the typed line does not contain 6170, so its echo cannot match),
        // so no clock decides whether the loop has started, however slow the machine.
        try type("this line is abandoned", "C-c")
        try type(Self.loop, "Enter")
        _ = try waitFor("\n6170", timeout: 60)
        try type("C-c")
        _ = try waitFor("error: interrupted")
        try type("spin > 0", "Enter")
        _ = try waitFor("\ntrue")
        let after = home + "/after.seqlab"
        try type(":save \(after)", "Enter")
        _ = try waitFor("saved 8 statements")
        try type("C-d")

        let saved = try String(contentsOfFile: notebook, encoding: .utf8)
        XCTAssertTrue(saved.contains("len(counter)\n#> 2"), saved)
        XCTAssertTrue(saved.contains("print(keep); if true {\n#> 5\nprint(keep + 1) }\n#> 6"), saved)
        // What failed is kept, commented out under a note, so the notebook still replays.
        XCTAssertTrue(saved.contains("keep = 5;\n# :save: failed: unknown name 'nope'"), saved)
        XCTAssertTrue(saved.contains("; commented out so the notebook replays\n# lost = nope\n"), saved)
        XCTAssertTrue(saved.contains("\n# len(cuonter)\n"), saved)
        XCTAssertFalse(saved.split(separator: "\n").contains { $0.hasPrefix("len(cuonter)") }, "a failed statement is not replayed")
        let afterText = try String(contentsOfFile: after, encoding: .utf8)
        XCTAssertTrue(afterText.hasSuffix("spin > 0\n#> true\n"), afterText)
        XCTAssertFalse(afterText.contains("abandoned"), "a cancelled line is not run or saved")
        XCTAssertTrue(afterText.contains("# :save: interrupted by Ctrl-C; commented out so the notebook replays\n"
                                         + "# \(Self.loop)\n"), afterText)
        let (status, output) = shell("\(binary) check \(notebook)")
        XCTAssertEqual(status, 0, output)
        let history = try String(contentsOfFile: home + "/.seqlab_history", encoding: .utf8)
        XCTAssertTrue(history.contains("len(cuonter)"), "history is kept, typos included")
    }

    /// A `fit` stopped by Ctrl-C keeps its epochs in the session, but a replay would train them all:
    /// `:save` writes it commented out and says so, and the saved notebook passes `seqlab check`.
    func testSaveAfterAnInterruptedFitWritesANotebookThatChecks() throws {
        guard let binary = seqlabBinary else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        guard shell("tmux -V").0 == 0 else { try skipTest("tmux is not installed") }
        let home = NSTemporaryDirectory() + "seqlab-repl-fit-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = "seqlab-fit-\(getpid())"
        let tmux = "tmux -L \(session)"
        let store = home + "/runs.sqlite"
        XCTAssertEqual(shell("\(tmux) new-session -d -s \(session) -x 160 -y 50 'env HOME=\(home) \(binary) --store \(store)'").0, 0)
        defer { shell("\(tmux) kill-server") }
        func waitFor(_ text: String, timeout: Double = 20) -> String {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = shell("\(tmux) capture-pane -p -t \(session)").1
                if last.contains(text) { return last }
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTFail("timed out waiting for \(text); screen:\n\(last)")
            return last
        }
        func type(_ keys: String...) {
            shell("\(tmux) send-keys -t \(session) " + keys.map { "'" + $0 + "'" }.joined(separator: " "))
        }
        _ = waitFor("seqlab>")
        // (No trailing semicolons: tmux reads one as the end of its command.)
        type("w = synthetic(\"toy\", seed: 1); s = w.split(maxLength: 20)", "Enter")
        type("m = nextitnet(s, channels: 16, seed: 2)", "Enter")
        type("m.fit(s, epochs: 1000, batch: 16, patience: none)", "Enter")
        _ = waitFor("epoch 1:")
        type("C-c")
        _ = waitFor("interrupted")
        let notebook = home + "/fit.seqlab"
        type(":save \(notebook)", "Enter")
        _ = waitFor("saved 3 statements to \(notebook); 1 that failed or was interrupted is written commented out")
        type("C-d")
        Thread.sleep(forTimeInterval: 0.5)

        let saved = try String(contentsOfFile: notebook, encoding: .utf8)
        XCTAssertTrue(saved.contains("# :save: interrupted by Ctrl-C; commented out so the notebook replays\n"
                                     + "# m.fit(s, epochs: 1000, batch: 16, patience: none)\n"), saved)
        let (status, output) = shell("\(binary) check \(notebook) --store \(store)")
        XCTAssertEqual(status, 0, output)
        // The session's run keeps the interrupted statement in its transcript.
        let (_, shown) = shell("\(binary) show 1 --store \(store)")
        XCTAssertTrue(shown.contains("  kind      repl\n"), shown)
        XCTAssertTrue(shown.contains("m.fit(s, epochs: 1000, batch: 16, patience: none)"), shown)
        XCTAssertTrue(shown.contains("(interrupted: stopped by Ctrl-C)"), shown)
    }
}
