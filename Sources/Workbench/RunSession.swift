// Every execution of a script, a notebook or a REPL session is a run in the store: its text and
// hash, seed, thread counts, CPU and BLAS identity, the datasets it loaded, the metrics it logged,
// and how it ended. The session owns that bookkeeping so front ends only start and finish it.

import Foundation
import Script
import Store
import Tensors
import Training

/// The store and the current run of an interpreter, reachable from builtins.
public final class RunSession {
    /// The open store.
    public let store: RunStore
    /// The run being recorded.
    public let runID: Int64
    private var finished = false

    /// SeqLab's version, recorded with every run.
    public static let version = "0.1.0"

    /// The statements of a REPL session so far (its script is what they add up to).
    private var replStatements: [String] = []
    /// How many `fit` calls this run has recorded parameters for.
    private var fits = 0

    /// Opens the store at `storePath` and begins a run of `script` of the given kind.
    public init(storePath: String, script: String, scriptPath: String?, interpreter: Interpreter,
                kind: RunKind = .run) throws {
        store = try RunStore.open(path: storePath)
        let identity = NumericIdentity.current
        // SeqLab's loops and products share one thread count; OpenBLAS itself stays on one thread.
        let info = RunInfo(script: script, scriptPath: scriptPath, version: Self.version, gitCommit: Self.gitCommit(),
                           seed: interpreter.seed, threads: BLAS.threads, blasThreads: 1,
                           blas: "\(identity.blas) \(identity.kernels)", kind: kind, numerics: identity.description)
        runID = try store.beginRun(info)
        interpreter.extensions[Self.key] = self
    }

    /// The numerics a check compares notebooks under: this process's identity, and whether a
    /// recorded one computes the same bits.
    public static var replayNumerics: ReplayNumerics {
        let current = NumericIdentity.current
        return ReplayNumerics(current: current.description) { recorded in
            NumericIdentity(parsing: recorded).map(current.computesLike) ?? false
        }
    }

    /// Stores the statements of a script or notebook run with what each showed; the last one is
    /// marked failed (with `errors`' first message) or interrupted. Failing to write is not fatal.
    public func recordTranscript(_ run: NotebookRun, source: String, interrupted: Bool) {
        var entries = run.outcomes.map { TranscriptEntry(source: Notebook.text(of: $0.statement, in: source), output: $0.output) }
        if let error = run.errors.first {
            // An error that is not the last statement's (a syntax error, or Ctrl-C between statements)
            // belongs to no entry.
            if let last = run.outcomes.last, last.statement.location.line <= error.location.line,
               error.location.line <= max(last.statement.endLine, last.statement.location.line), !entries.isEmpty {
                entries[entries.count - 1].end = .failed
                entries[entries.count - 1].note = error.message
            }
        }
        if interrupted, let last = entries.indices.last, entries[last].end == .ok {
            entries[last].end = .interrupted
            entries[last].note = "stopped by Ctrl-C"
        }
        try? store.appendTranscript(runID, entries)
    }

    /// Stores one REPL statement as it finishes, and sets the run's script (and hash) to the
    /// statements that ran so far.
    public func recordStatement(_ entry: TranscriptEntry) {
        try? store.appendTranscript(runID, [entry])
        if entry.end != .failed {
            replStatements.append(entry.source)
            try? store.setScript(runID, replStatements.joined(separator: "\n") + "\n")
        }
    }

    /// Stores a check's verdict.
    public func setVerdict(_ verdict: String) {
        try? store.setVerdict(runID, verdict)
    }

    /// Stores every metric of a ranking result (HR, NDCG and MRR at each cut-off) with its protocol.
    func recordResults(_ result: RankingResult, source: String, model: String, split: String) {
        var rows: [EvaluationResult] = []
        for (i, k) in result.ks.enumerated() {
            for (metric, values) in [("hr", result.hitRate), ("ndcg", result.ndcg), ("mrr", result.mrr)] {
                rows.append(EvaluationResult(source: source, model: model, split: split, evaluationProtocol: result.header,
                                             metric: "\(metric)@\(k)", value: values[i]))
            }
        }
        try? store.recordResults(runID, rows)
    }

    /// Stores a `fit` call's hyperparameters as parameters `fit.N.key` (N counts the run's fits).
    func recordFit(model: String, parameters: [(String, String)]) {
        fits += 1
        let prefix = "fit.\(fits)."
        try? store.setParameters(runID, [(prefix + "model", model)] + parameters.map { (prefix + $0.0, $0.1) })
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
