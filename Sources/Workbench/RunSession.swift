// Every execution of a script, a notebook or a REPL session is a run in the store: its text and
// hash, seed, thread counts, CPU and BLAS identity, the datasets it loaded, the metrics it logged,
// and how it ended. The session owns that bookkeeping so front ends only start and finish it.

import Foundation
import Script
import Store
import Tensors

/// The store and the current run of an interpreter, reachable from builtins.
public final class RunSession {
    /// The open store.
    public let store: RunStore
    /// The run being recorded.
    public let runID: Int64
    private var finished = false

    /// SeqLab's version, recorded with every run.
    public static let version = "0.1.0"

    /// Opens the store at `storePath` and begins a run of `script`.
    public init(storePath: String, script: String, scriptPath: String?, interpreter: Interpreter) throws {
        store = try RunStore.open(path: storePath)
        let info = RunInfo(script: script, scriptPath: scriptPath, version: Self.version, gitCommit: Self.gitCommit(),
                           seed: interpreter.seed, threads: 1, blasThreads: BLAS.threads,
                           blas: "OpenBLAS \(BLAS.coreName)")
        runID = try store.beginRun(info)
        interpreter.extensions[Self.key] = self
    }

    static let key = "runSession"

    /// The session attached to an interpreter, if any.
    public static func of(_ interpreter: Interpreter) -> RunSession? { interpreter.extensions[key] as? RunSession }

    /// Ends the run with `status`, recording the root seed in effect at the end (the one `seed(n)`
    /// set; a script that reseeds several times is recorded by its script text).
    public func finish(_ status: RunStatus, error: String? = nil, interpreter: Interpreter) {
        guard !finished else { return }
        finished = true
        try? store.setSeed(runID, interpreter.seed)
        try? store.finishRun(runID, status: status, error: error)
    }

    /// Records the files a dataset was read from (a directory's regular files, sorted), with
    /// sizes and hashes, so a run says exactly which data it saw. Failing to hash is not fatal.
    public func recordDataset(name: String, path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        let files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter {
                var dir: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &dir) && !dir.boolValue
            }
        } else {
            files = [path]
        }
        for file in files { _ = try? store.recordDataset(runID, name: name, path: file) }
    }

    /// The commit of the source tree the binary runs from, when it is a git checkout.
    static func gitCommit() -> String? {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let head = url.appendingPathComponent(".git/HEAD")
            if let text = try? String(contentsOf: head, encoding: .utf8) {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard trimmed.hasPrefix("ref: ") else { return trimmed }
                let ref = url.appendingPathComponent(".git/" + trimmed.dropFirst(5))
                return (try? String(contentsOf: ref, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            url = url.deletingLastPathComponent()
        }
        return nil
    }
}
