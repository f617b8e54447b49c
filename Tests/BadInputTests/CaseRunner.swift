// Running one bad-input case as a user would meet it: a fresh session with a run store, the setup,
// the bad input, then a follow-up statement in the same session. Returns the problems found, so the
// test reports every failing case at once rather than stopping at the first.

import Foundation
import Script
import Store
import Workbench

/// Runs cases and checks the one-error, says-where, session-goes-on contract.
enum CaseRunner {
    /// The problems with `c` (empty when it behaves), run under `root/<index>`.
    static func check(_ c: BadInput, index: Int, root: String) -> [String] {
        let dir = root + "/case\(index)"
        let label = "\(c.category) / \(c.name)"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (path, bytes) in c.files {
                let full = dir + "/" + path
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: full))
            }
        } catch {
            return ["\(label): cannot write its files: \(error)"]
        }
        let saved = c.environment.keys.map { ($0, ProcessInfo.processInfo.environment[$0]) }
        for (k, v) in c.environment { setenv(k, v.replacingOccurrences(of: "$DIR", with: dir), 1) }
        defer {
            for (k, v) in saved { if let v { setenv(k, v, 1) } else { unsetenv(k) } }
        }
        let context = CaseContext(directory: dir)
        let expected = c.expected.replacingOccurrences(of: "$DIR", with: dir)
        do { try c.prepare?(context) } catch { return ["\(label): prepare failed: \(error)"] }

        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        var problems: [String] = []
        let keep = Notebook.run("keep = 41", interpreter: interpreter)
        if !keep.errors.isEmpty { return ["\(label): keep = 41 failed: \(keep.errors)"] }

        switch c.trigger {
        case .openStore(let path):
            do {
                let session = try RunSession(storePath: dir + "/" + path, script: "", scriptPath: nil, interpreter: interpreter)
                session.finish(.finished, interpreter: interpreter)
                problems.append("\(label): the store opened without an error")
            } catch {
                let message = "\(error)"
                if ProcessInfo.processInfo.environment["BADINPUT_SHOW"] != nil { print("SHOW \(label) => \(message)") }
                if !message.contains(expected) { problems.append("\(label): expected \"\(expected)\" in: \(message)") }
            }
            // Without a store the session still computes, and says why store builtins are unavailable.
            let after = Notebook.run("keep + 1", interpreter: interpreter)
            if !after.errors.isEmpty || after.outcomes.last?.output != ["42"] {
                problems.append("\(label): session unusable after the store error: \(after.errors)")
            }
            let runs = Notebook.run("runs()", interpreter: interpreter)
            if runs.errors.first?.message.contains("no run store is open") != true {
                problems.append("\(label): runs() after a failed open should say no store is open, got \(runs.errors)")
            }
            return problems

        case .script(let input):
            let session: RunSession
            do {
                session = try RunSession(storePath: context.storePath, script: input, scriptPath: nil, interpreter: interpreter)
            } catch {
                return ["\(label): cannot open the case store: \(error)"]
            }
            defer { session.finish(.finished, interpreter: interpreter) }
            let setup = c.setup.replacingOccurrences(of: "$DIR", with: dir)
            if !setup.isEmpty {
                let s = Notebook.run(setup, interpreter: interpreter)
                if !s.errors.isEmpty { return ["\(label): setup failed: \(s.errors.map(\.description))"] }
            }
            let run = Notebook.run(input.replacingOccurrences(of: "$DIR", with: dir), interpreter: interpreter)
            let shown = run.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
            if ProcessInfo.processInfo.environment["BADINPUT_SHOW"] != nil { print("SHOW \(label) => \(shown)") }
            if shown.count != 1 {
                problems.append("\(label): expected exactly one error, got \(shown.count): \(shown)")
            } else if !shown[0].contains(expected) {
                problems.append("\(label): expected \"\(expected)\" in: \(shown[0])")
            }
            if shown.contains(where: { $0.contains("internal error") }) {
                problems.append("\(label): an internal error is not a message for users: \(shown)")
            }
            let after = Notebook.run(c.after.replacingOccurrences(of: "$DIR", with: dir), interpreter: interpreter)
            if !after.errors.isEmpty {
                problems.append("\(label): session unusable after the error: \(c.after) gave \(after.errors.map(\.description))")
            } else if after.outcomes.last?.output != c.afterOutput {
                problems.append("\(label): after the error, \(c.after) showed \(after.outcomes.last?.output ?? []), expected \(c.afterOutput)")
            }
            return problems
        }
    }

    /// Problems with the expectation itself: it must say where (a position, and for data a file).
    static func vet(_ c: BadInput) -> [String] {
        let label = "\(c.category) / \(c.name)"
        var problems: [String] = []
        if case .script = c.trigger {
            let position = c.expected.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            let parts = position.dropLast().split(separator: ":")
            if !position.hasSuffix(":") || parts.count != 2 || parts.contains(where: { Int($0) == nil }) {
                problems.append("\(label): the expectation must start with line:column:, got \"\(c.expected)\"")
            }
        }
        if c.category.hasPrefix("data/") && !c.expected.contains("$DIR/") {
            problems.append("\(label): a data-file expectation must name the file ($DIR/...)")
        }
        if c.expected.count < 20 { problems.append("\(label): the expected text is too short to say what is wrong") }
        return problems
    }
}
