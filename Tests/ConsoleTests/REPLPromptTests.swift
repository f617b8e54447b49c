// The REPL's prompt after Ctrl-C at a continuation line, :save's error for a missing directory
// (issue 20: Ctrl-C at `...>` dropped the input but kept `...>`; :save printed "The operation could
// not be completed"), and help wrapped to a window that is resized. Driven in a real
// pseudo-terminal (tmux), as a user would.

import Foundation
import TestSupport
import XCTest

/// Runs a shell command with system(3) (tmux daemonizes, which Process does not reap).
@discardableResult
private func shell(_ command: String) -> (Int32, String) {
    let out = NSTemporaryDirectory() + "seqlab-prompt-shell-\(getpid()).txt"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let status = system("\(command) > \(out) 2>&1 < /dev/null")
    return (status == -1 ? -1 : (status >> 8) & 0xFF, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
}

/// The REPL in a tmux window of `width` columns, with its own HOME (history) as working directory.
private final class TerminalREPL {
    let home: String, session: String
    var tmux: String { "tmux -L \(session)" }

    init(_ name: String, width: Int) throws {
        guard let binary = seqlabBinary else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        guard shell("tmux -V").0 == 0 else { try skipTest("tmux is not installed (make test installs it)") }
        session = "seqlab-\(name)-\(getpid())"
        home = NSTemporaryDirectory() + session
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        // COLUMNS would override the window's width.
        XCTAssertEqual(shell("\(tmux) new-session -d -s \(session) -x \(width) -y 80 'cd \(home) && env -u COLUMNS HOME=\(home) \(binary)'").0, 0)
    }

    deinit {
        shell("\(tmux) kill-server")
        try? FileManager.default.removeItem(atPath: home)
    }

    /// The screen; with `joined`, lines the terminal wrapped are shown whole.
    func screen(joined: Bool = false) -> String { shell("\(tmux) capture-pane -p \(joined ? "-J " : "")-t \(session)").1 }

    /// The screen once it contains `text` (a failure after 10 s).
    func waitFor(_ text: String, joined: Bool = false) -> String {
        let deadline = Date().addingTimeInterval(10)
        var last = ""
        while Date() < deadline {
            last = screen(joined: joined)
            if last.contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting for \(text); screen:\n\(last)")
        return last
    }

    func type(_ keys: String...) {
        shell("\(tmux) send-keys -t \(session) " + keys.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " "))
    }
}

final class REPLPromptTests: XCTestCase {
    func testCtrlCAtAContinuationLineStartsAFreshEntryAndSaveErrorsAreReadable() throws {
        let repl = try TerminalREPL("prompt", width: 160)
        _ = repl.waitFor("seqlab>")
        repl.type("total = {", "Enter")
        _ = repl.waitFor("...>")
        repl.type("C-c")
        // The abandoned entry's prompt is replaced by a first-line prompt (capture-pane drops the
        // trailing space after each prompt).
        _ = repl.waitFor("   ...>\nseqlab>")
        repl.type("6 * 7", "Enter")
        _ = repl.waitFor("\n42")
        repl.type(":save /nonexistent-dir-\(getpid())/x.seqlab", "Enter")
        let saved = repl.waitFor("cannot write the notebook")
        XCTAssertTrue(saved.contains("the directory '/nonexistent-dir-\(getpid())' does not exist; create it first or choose another path"), saved)
        XCTAssertFalse(saved.contains("The operation could not be completed"), saved)
        repl.type("C-d")
    }

    /// help wraps to the terminal's width, read at each entry, so it follows a resized window.
    func testHelpWrapsToTheWindowAndFollowsAResize() throws {
        let repl = try TerminalREPL("width", width: 60)
        /// The help's lines: those after the typed command (the banner above it is not help).
        func helpLines(_ screen: String) -> [String] {
            screen.split(separator: "\n").map(String.init).drop { !$0.contains("help(load)") }.dropFirst()
                .filter { !$0.hasPrefix("seqlab>") }
        }
        _ = repl.waitFor("seqlab>")
        repl.type("help(load)", "Enter")
        let narrow = repl.waitFor("separator (string)", joined: true)
        XCTAssertGreaterThan(helpLines(narrow).count, 5, narrow)
        XCTAssertLessThanOrEqual(helpLines(narrow).map(\.count).max() ?? 0, 60, narrow)
        repl.type("C-l")
        shell("\(repl.tmux) resize-window -t \(repl.session) -x 140")
        repl.type("help(load)", "Enter")
        let wide = helpLines(repl.waitFor("separator (string)", joined: true))
        XCTAssertGreaterThan(wide.map(\.count).max() ?? 0, 60, "after the resize help uses the wider window")
        XCTAssertLessThanOrEqual(wide.map(\.count).max() ?? 0, 140)
        repl.type("C-d")
    }
}
