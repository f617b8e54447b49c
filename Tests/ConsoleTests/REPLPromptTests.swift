// The REPL's prompt after Ctrl-C at a continuation line, and :save's error for a missing directory
// (issue 20: Ctrl-C at `...>` dropped the input but kept `...>`; :save printed "The operation could
// not be completed"). Driven in a real pseudo-terminal (tmux), as a user would.

import Foundation
import TestSupport
import XCTest

final class REPLPromptTests: XCTestCase {
    /// Runs a shell command with system(3) (tmux daemonizes, which Process does not reap).
    @discardableResult
    func shell(_ command: String) -> (Int32, String) {
        let out = NSTemporaryDirectory() + "seqlab-prompt-shell-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = system("\(command) > \(out) 2>&1 < /dev/null")
        return (status == -1 ? -1 : (status >> 8) & 0xFF, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    func testCtrlCAtAContinuationLineStartsAFreshEntryAndSaveErrorsAreReadable() throws {
        guard let binary = seqlabBinary else { throw XCTSkip("seqlab binary not built next to the tests; run `make test`") }
        guard shell("tmux -V").0 == 0 else {
            print("skipping: tmux is not installed (make test installs it)")
            throw XCTSkip("tmux is not installed")
        }
        let home = NSTemporaryDirectory() + "seqlab-prompt-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = "seqlab-prompt-\(getpid())"
        let tmux = "tmux -L \(session)"
        XCTAssertEqual(shell("\(tmux) new-session -d -s \(session) -x 160 -y 50 'cd \(home) && env HOME=\(home) \(binary)'").0, 0)
        defer { shell("\(tmux) kill-server") }
        func screen() -> String { shell("\(tmux) capture-pane -p -t \(session)").1 }
        func waitFor(_ text: String, timeout: Double = 10) -> String {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = screen()
                if last.contains(text) { return last }
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTFail("timed out waiting for \(text); screen:\n\(last)")
            return last
        }
        func type(_ keys: String...) {
            shell("\(tmux) send-keys -t \(session) " + keys.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " "))
        }

        _ = waitFor("seqlab>")
        type("total = {", "Enter")
        _ = waitFor("...>")
        type("C-c")
        // The abandoned entry's prompt is replaced by a first-line prompt (capture-pane drops the
        // trailing space after each prompt).
        _ = waitFor("   ...>\nseqlab>")
        type("6 * 7", "Enter")
        _ = waitFor("\n42")
        type(":save /nonexistent-dir-\(getpid())/x.seqlab", "Enter")
        let saved = waitFor("cannot write the notebook")
        XCTAssertTrue(saved.contains("the directory '/nonexistent-dir-\(getpid())' does not exist; create it first or choose another path"), saved)
        XCTAssertFalse(saved.contains("The operation could not be completed"), saved)
        type("C-d")
    }

    /// help wraps to the terminal's width, read at each entry, so it follows a resized window.
    func testHelpWrapsToTheWindowAndFollowsAResize() throws {
        guard let binary = seqlabBinary else { throw XCTSkip("seqlab binary not built next to the tests; run `make test`") }
        guard shell("tmux -V").0 == 0 else {
            print("skipping: tmux is not installed (make test installs it)")
            throw XCTSkip("tmux is not installed")
        }
        let home = NSTemporaryDirectory() + "seqlab-width-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = "seqlab-width-\(getpid())"
        let tmux = "tmux -L \(session)"
        XCTAssertEqual(shell("\(tmux) new-session -d -s \(session) -x 60 -y 80 'env -u COLUMNS HOME=\(home) \(binary)'").0, 0)
        defer { shell("\(tmux) kill-server") }
        // -J joins lines the terminal wrapped, so a line wider than the window shows whole.
        func screen() -> [String] { shell("\(tmux) capture-pane -p -J -t \(session)").1.split(separator: "\n").map(String.init) }
        func waitFor(_ text: String) -> [String] {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let lines = screen()
                if lines.contains(where: { $0.contains(text) }) { return lines }
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTFail("timed out waiting for \(text)")
            return screen()
        }
        func type(_ keys: String...) {
            shell("\(tmux) send-keys -t \(session) " + keys.map { "'" + $0 + "'" }.joined(separator: " "))
        }
        _ = waitFor("seqlab>")
        type("help(load)", "Enter")
        let narrow = waitFor("separator (string)")
        // The help's lines: those after the typed command (the banner above it is not help).
        let narrowHelp = narrow.drop { !$0.contains("help(load)") }.dropFirst().filter { !$0.hasPrefix("seqlab>") }
        XCTAssertGreaterThan(narrowHelp.count, 5, narrow.joined(separator: "\n"))
        XCTAssertLessThanOrEqual(narrowHelp.map(\.count).max() ?? 0, 60, narrow.joined(separator: "\n"))
        type("C-l")
        shell("\(tmux) resize-window -t \(session) -x 140")
        type("help(load)", "Enter")
        let wide = waitFor("separator (string)").drop { !$0.contains("help(load)") }.dropFirst().filter { !$0.hasPrefix("seqlab>") }
        XCTAssertGreaterThan(wide.map(\.count).max() ?? 0, 60, "after the resize help uses the wider window")
        XCTAssertLessThanOrEqual(wide.map(\.count).max() ?? 0, 140)
        type("C-d")
    }
}
