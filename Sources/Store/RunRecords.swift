// The values that go into and come out of the store. They are plain structs, not GRDB records, so
// modules that use the store never need to import GRDB.
import Foundation

/// Where a run stands.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    /// Started, not ended yet (or its process died and no open has noticed yet).
    case running
    /// Ended normally.
    case finished
    /// Ended with an error, recorded in `Run.error`.
    case failed
    /// Its process went away without ending it (killed, crashed, power lost); found on a later open.
    case interrupted
}

/// How a run came about: what a user did to start it.
public enum RunKind: String, Sendable, Equatable, CaseIterable {
    /// An interactive session.
    case repl
    /// `seqlab run FILE` or a script piped to standard input.
    case run
    /// `seqlab check FILE`: its verdict says whether the notebook replayed.
    case check
    /// `seqlab run FILE --record`: rewrote the notebook's outputs.
    case record
}

/// What a caller knows when a run begins; the store adds the id, start time, status and script hash.
public struct RunInfo: Sendable, Equatable {
    /// The full script (notebook) text being run; the REPL passes the session's statements so far.
    public var script: String
    /// The script's path as given on the command line, or nil for the REPL and piped input.
    public var scriptPath: String?
    /// SeqLab's version string.
    public var version: String
    /// The git commit SeqLab was built from, when known.
    public var gitCommit: String?
    /// The root seed all named random streams derive from.
    public var seed: UInt64
    /// Threads SeqLab's own parallel loops use.
    public var threads: Int
    /// Threads the BLAS library uses.
    public var blasThreads: Int
    /// The CPU model; defaults to the one in /proc/cpuinfo.
    public var cpuModel: String
    /// The BLAS identity (library, version, core type), as the tensor engine reports it.
    public var blas: String
    /// The process running the run; defaults to this one. Recovery on open tests it for liveness.
    public var pid: Int32
    /// The host running the run; defaults to this one.
    public var hostname: String
    /// What started the run.
    public var kind: RunKind
    /// The numeric identity the run computed under (architecture, BLAS, kernels, split, threads),
    /// as `NumericIdentity.description` writes it; empty for runs stored before it was recorded.
    public var numerics: String

    /// A run description; the machine and process fields default to this machine and process.
    public init(
        script: String, scriptPath: String? = nil, version: String, gitCommit: String? = nil,
        seed: UInt64, threads: Int, blasThreads: Int, blas: String,
        cpuModel: String = Machine.cpuModel(), pid: Int32 = Machine.processID(),
        hostname: String = Machine.hostname(), kind: RunKind = .run, numerics: String = ""
    ) {
        self.kind = kind
        self.numerics = numerics
        self.script = script
        self.scriptPath = scriptPath
        self.version = version
        self.gitCommit = gitCommit
        self.seed = seed
        self.threads = threads
        self.blasThreads = blasThreads
        self.cpuModel = cpuModel
        self.blas = blas
        self.pid = pid
        self.hostname = hostname
    }
}

/// One run as stored: what `RunInfo` gave plus what the store keeps about its life.
public struct Run: Sendable, Equatable {
    /// The run's id; ids are never reused.
    public var id: Int64
    /// When `beginRun` was called (UTC, millisecond precision).
    public var startedAt: Date
    /// When `finishRun` was called; nil while running and for interrupted runs, whose end is unknown.
    public var endedAt: Date?
    /// Where the run stands.
    public var status: RunStatus
    /// The error message of a failed run, or the reason an interrupted run was marked so.
    public var error: String?
    /// The SHA-256 of `info.script`'s UTF-8 bytes, as 64 hex characters.
    public var scriptSHA256: String
    /// A check's verdict: "pass", or where and how the replay first differed; nil for other kinds
    /// and for a check that never reached one.
    public var verdict: String? = nil
    /// Everything the caller recorded when the run began.
    public var info: RunInfo
}

/// One metric value at one step, e.g. the training loss at step 1200 or validation NDCG@10 at epoch 3.
public struct MetricPoint: Sendable, Equatable {
    /// The step (batch counter, or epoch for per-epoch metrics); reads are ordered by it.
    public var step: Int
    /// The metric's name, e.g. "loss" or "ndcg@10".
    public var name: String
    /// The value; NaN and infinities round-trip (SQLite stores NaN as NULL, read back as NaN).
    public var value: Double
    /// The epoch the step belongs to, when the caller tracks epochs.
    public var epoch: Int?
    /// The data split the value was measured on ("train", "valid", "test"), when it matters.
    public var split: String?

    /// A metric point.
    public init(step: Int, name: String, value: Double, epoch: Int? = nil, split: String? = nil) {
        self.step = step
        self.name = name
        self.value = value
        self.epoch = epoch
        self.split = split
    }

    /// Equal when every field is equal, with NaN equal to NaN so stored NaN losses compare as kept.
    public static func == (a: MetricPoint, b: MetricPoint) -> Bool {
        a.step == b.step && a.name == b.name && a.epoch == b.epoch && a.split == b.split
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// A dataset a run read: where it was and which bytes it had.
public struct DatasetUse: Sendable, Equatable {
    /// The name the script gave it (or the file's name).
    public var name: String
    /// The path as the script gave it.
    public var path: String
    /// The size in bytes.
    public var bytes: Int64
    /// The SHA-256 of the bytes, as 64 hex characters.
    public var sha256: String

    /// A dataset record; `RunStore.recordDataset(_:name:path:)` fills size and hash from the file.
    public init(name: String, path: String, bytes: Int64, sha256: String) {
        self.name = name
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// An artifact's description without its bytes, as listed in a run's detail.
public struct ArtifactInfo: Sendable, Equatable {
    /// The artifact's id; a later save under the same name gets a larger one.
    public var id: Int64
    /// The run that saved it.
    public var run: Int64
    /// Its name, e.g. "best" or "nextitnet-epoch-12".
    public var name: String
    /// What the bytes are, e.g. "safetensors" or "notebook".
    public var kind: String
    /// The size of the blob in bytes.
    public var bytes: Int64
    /// When it was saved (UTC, millisecond precision).
    public var createdAt: Date
}

/// An artifact with its bytes.
public struct Artifact: Sendable, Equatable {
    /// Its description.
    public var info: ArtifactInfo
    /// Its bytes, exactly as saved.
    public var data: Data
}

/// One parameter of a run, e.g. ("lr", "0.001").
public struct Parameter: Sendable, Equatable {
    /// The parameter's name.
    public var key: String
    /// Its value as text, exactly as the caller formatted it.
    public var value: String

    /// A parameter.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// How one statement of a run ended.
public enum StatementEnd: String, Sendable, Equatable, CaseIterable {
    /// It ran to the end.
    case ok
    /// It stopped at an error.
    case failed
    /// Ctrl-C stopped it at a safe point.
    case interrupted
}

/// One statement of a run as it ran: its text, what it showed and how it ended.
public struct TranscriptEntry: Sendable, Equatable {
    /// The statement's source text.
    public var source: String
    /// The lines it showed (an error's message is in `note`).
    public var output: [String]
    /// How it ended.
    public var end: StatementEnd
    /// The error of a failed statement, or why an interrupted one stopped.
    public var note: String?

    /// A transcript entry.
    public init(source: String, output: [String], end: StatementEnd = .ok, note: String? = nil) {
        self.source = source
        self.output = output
        self.end = end
        self.note = note
    }
}

/// One number an evaluation reported, e.g. NDCG@10 of model "sasrec" on the test rows.
public struct EvaluationResult: Sendable, Equatable {
    /// What computed it: "evaluate" or "compare".
    public var source: String
    /// The model's name.
    public var model: String
    /// The rows ranked ("test", "valid", or the rows' own description).
    public var split: String
    /// The protocol, as result headers state it (candidates, split rule, ...).
    public var evaluationProtocol: String
    /// The metric, e.g. "ndcg@10".
    public var metric: String
    /// Its value.
    public var value: Double

    /// A result.
    public init(source: String, model: String, split: String, evaluationProtocol: String, metric: String, value: Double) {
        self.source = source
        self.model = model
        self.split = split
        self.evaluationProtocol = evaluationProtocol
        self.metric = metric
        self.value = value
    }
}

/// Everything the store holds about one run, each list in a fixed order.
public struct RunDetail: Sendable, Equatable {
    /// The run itself.
    public var run: Run
    /// Parameters ordered by key.
    public var parameters: [Parameter]
    /// Datasets in the order they were recorded.
    public var datasets: [DatasetUse]
    /// Artifacts (without bytes) in the order they were saved.
    public var artifacts: [ArtifactInfo]
    /// Metrics ordered by step, then name, then split, then the order they were logged.
    public var metrics: [MetricPoint]
    /// The statements that ran, in order.
    public var transcript: [TranscriptEntry] = []
    /// Evaluation results in the order they were recorded.
    public var results: [EvaluationResult] = []
}
