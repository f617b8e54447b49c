// The run store: one SQLite file (WAL mode, through a GRDB DatabasePool so readers never wait for a
// writer) holding every run with its parameters, metrics, datasets and artifacts. Each public write is
// one transaction, so a process killed at any point leaves whole batches or nothing.
import Foundation
import GRDB

/// A SeqLab run store backed by one SQLite file.
public final class RunStore: Sendable {
    /// The file path the store was opened with, as given; every error names it.
    public let path: String
    /// Ids of runs that were `running` when the store was opened but whose process was gone, and
    /// which the open therefore marked `interrupted` (ascending).
    public let recoveredRuns: [Int64]
    /// The schema version this build reads and writes.
    public static let schemaVersion = Schema.version

    let pool: DatabasePool

    private init(path: String, pool: DatabasePool, recoveredRuns: [Int64]) {
        self.path = path
        self.pool = pool
        self.recoveredRuns = recoveredRuns
    }

    /// Opens (creating if needed) the store at `path`, migrates it, and marks runs whose process died
    /// as `interrupted`.
    public static func open(path: String) throws(StoreError) -> RunStore {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw .isDirectory(path: path) }
        } else {
            let parent = (path as NSString).deletingLastPathComponent
            let directory = parent.isEmpty ? "." : parent
            if !FileManager.default.fileExists(atPath: directory) {
                throw .missingDirectory(path: path, directory: directory)
            }
        }
        var config = Configuration()
        // Several processes (a training run, `seqlab runs` in another terminal) may share a store:
        // wait for a writer rather than fail with SQLITE_BUSY.
        config.busyMode = .timeout(30)
        config.label = "SeqLab.RunStore"
        // In WAL mode NORMAL still survives a killed process (committed pages are in the OS cache and
        // the WAL); it only risks the last commits on power loss, and saves an fsync per metric batch.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        return try translating(path) {
            let pool = try makePool(path: path, configuration: config)
            // One IMMEDIATE transaction: it waits for any other process's write, so a concurrent first
            // open either created the schema already or has not started.
            let recovered = try pool.writeWithoutTransaction { db in
                var recovered: [Int64] = []
                try db.inTransaction(.immediate) {
                    try Schema.migrate(db, path: path)
                    recovered = try RunRecovery.markInterrupted(db)
                    return .commit
                }
                return recovered
            }
            return RunStore(path: path, pool: pool, recoveredRuns: recovered)
        }
    }

    /// Creates the pool, retrying while another connection holds the lock it needs.
    ///
    /// Switching a new file to WAL (`PRAGMA journal_mode = WAL`, which DatabasePool issues) upgrades a
    /// read lock to an exclusive one, and SQLite returns SQLITE_BUSY for that at once instead of
    /// calling the busy handler; two processes creating the same store together hit it
    /// (testSimultaneousFirstOpensOfANewFileAllSucceed). Once the file is in WAL mode the pragma
    /// takes no lock, so only first opens ever retry.
    private static func makePool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(30)
        var pause: useconds_t = 1_000
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(pause)
                pause = min(pause * 2, 100_000)
            }
        }
    }

    // MARK: Writes

    /// Records the start of a run and returns its id.
    public func beginRun(_ info: RunInfo) throws(StoreError) -> Int64 {
        let started = Timestamp.text(Timestamp.now())
        // Only the current process's start time can be read reliably; another pid's could already be
        // a different process by the time it is read.
        let processStart = info.pid == Machine.processID() ? Machine.processStartTicks(info.pid) : nil
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (started_at, status, script, script_sha256, script_path, seqlab_version,
                        git_commit, seed, threads, blas_threads, cpu_model, blas, pid, process_start, hostname,
                        kind, numerics)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    started, info.script, SHA256.hex(of: info.script), info.scriptPath, info.version,
                    info.gitCommit, Int64(bitPattern: info.seed), info.threads, info.blasThreads, info.cpuModel,
                    info.blas, Int64(info.pid), processStart, info.hostname, info.kind.rawValue, info.numerics,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Sets parameters of a run in one transaction; a key set again replaces its earlier value.
    public func setParameters(_ run: Int64, _ parameters: [(String, String)]) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            for (key, value) in parameters {
                try db.execute(
                    sql: "INSERT INTO parameters (run, key, value) VALUES (?, ?, ?) "
                        + "ON CONFLICT (run, key) DO UPDATE SET value = excluded.value",
                    arguments: [run, key, value])
            }
        }
    }

    /// Appends a batch of metric points to a run in one transaction: after a crash the whole batch
    /// is there or none of it is.
    public func logMetrics(_ run: Int64, _ points: [MetricPoint]) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            let insert = try db.cachedStatement(
                sql: "INSERT INTO metrics (run, step, name, value, epoch, split) VALUES (?, ?, ?, ?, ?, ?)")
            for point in points {
                try insert.execute(arguments: [run, point.step, point.name, point.value, point.epoch, point.split])
            }
        }
    }

    /// Records that a run read the file at `path`, hashing it; returns what was recorded.
    @discardableResult
    public func recordDataset(_ run: Int64, name: String, path: String) throws(StoreError) -> DatasetUse {
        let (sha256, bytes) = try SHA256.hexAndSize(ofFileAt: path)
        let dataset = DatasetUse(name: name, path: path, bytes: bytes, sha256: sha256)
        try recordDataset(run, dataset)
        return dataset
    }

    /// Records a dataset whose size and hash the caller already has (e.g. generated data hashed in memory).
    public func recordDataset(_ run: Int64, _ dataset: DatasetUse) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            try db.execute(
                sql: "INSERT INTO datasets (run, name, path, bytes, sha256) VALUES (?, ?, ?, ?, ?)",
                arguments: [run, dataset.name, dataset.path, dataset.bytes, dataset.sha256])
        }
    }

    /// Saves a blob (e.g. a safetensors checkpoint) under a name in a run; returns the artifact's id.
    /// Saving the same name again keeps both; loading by name gets the latest.
    @discardableResult
    public func saveArtifact(_ run: Int64, name: String, kind: String, data: Data) throws(StoreError) -> Int64 {
        let created = Timestamp.text(Timestamp.now())
        return try write { db in
            try requireRun(run, db)
            try db.execute(
                sql: "INSERT INTO artifacts (run, name, kind, bytes, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [run, name, kind, Int64(data.count), data, created])
            return db.lastInsertedRowID
        }
    }

    /// Loads the latest artifact with this name, in `run` when given, else in any run.
    public func loadArtifact(run: Int64?, name: String) throws(StoreError) -> Artifact {
        try read { db in
            if let run { try requireRun(run, db) }
            let row = try Row.fetchOne(
                db,
                sql: "SELECT id, run, name, kind, bytes, created_at, data FROM artifacts "
                    + "WHERE name = ? AND (? IS NULL OR run = ?) ORDER BY id DESC LIMIT 1",
                arguments: [name, run, run])
            guard let row else { throw StoreError.noArtifact(path: path, name: name, run: run) }
            let info = try artifactInfo(row)
            return Artifact(info: info, data: try field(row, "data", "artifact \(info.id)"))
        }
    }

    /// Ends a run with `finished`, `failed` (with its error message) or `interrupted`.
    public func finishRun(_ run: Int64, status: RunStatus = .finished, error: String? = nil) throws(StoreError) {
        if status == .running { throw .notAnEndStatus(status) }
        let ended = Timestamp.text(Timestamp.now())
        try write { db in
            let current = try requireRun(run, db)
            if current != .running { throw StoreError.runAlreadyEnded(path: path, id: run, status: current) }
            try db.execute(
                sql: "UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?",
                arguments: [status.rawValue, ended, error, run])
        }
    }

    /// Sets the root seed of a running run: a script usually calls `seed(n)` after the run began,
    /// and the table should show the seed its results depend on.
    public func setSeed(_ run: Int64, _ seed: UInt64) throws(StoreError) {
        try write { db in
            let current = try requireRun(run, db)
            if current != .running { throw StoreError.runAlreadyEnded(path: path, id: run, status: current) }
            try db.execute(sql: "UPDATE runs SET seed = ? WHERE id = ?", arguments: [Int64(bitPattern: seed), run])
        }
    }

    /// Replaces a running run's script text (and its hash): a REPL session's script is known only
    /// as it goes, and the hash should name what actually ran.
    public func setScript(_ run: Int64, _ script: String) throws(StoreError) {
        try write { db in
            let current = try requireRun(run, db)
            if current != .running { throw StoreError.runAlreadyEnded(path: path, id: run, status: current) }
            try db.execute(sql: "UPDATE runs SET script = ?, script_sha256 = ? WHERE id = ?",
                           arguments: [script, SHA256.hex(of: script), run])
        }
    }

    /// Sets a check's verdict ("pass", or the first difference).
    public func setVerdict(_ run: Int64, _ verdict: String) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            try db.execute(sql: "UPDATE runs SET verdict = ? WHERE id = ?", arguments: [verdict, run])
        }
    }

    /// Appends statements to a run's transcript in one transaction.
    public func appendTranscript(_ run: Int64, _ entries: [TranscriptEntry]) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            let insert = try db.cachedStatement(
                sql: "INSERT INTO transcript (run, source, output, ending, note) VALUES (?, ?, ?, ?, ?)")
            for e in entries {
                try insert.execute(arguments: [run, e.source, e.output.joined(separator: "\n"), e.end.rawValue, e.note])
            }
        }
    }

    /// Appends evaluation results to a run in one transaction.
    public func recordResults(_ run: Int64, _ results: [EvaluationResult]) throws(StoreError) {
        try write { db in
            try requireRun(run, db)
            let insert = try db.cachedStatement(
                sql: "INSERT INTO results (run, source, model, split, protocol, metric, value) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for r in results {
                try insert.execute(arguments: [run, r.source, r.model, r.split, r.evaluationProtocol, r.metric, r.value])
            }
        }
    }

    // MARK: Reads

    /// The most recent runs first (by id), at most `limit` of them, or all when `limit` is nil.
    public func runs(limit: Int? = 20) throws(StoreError) -> [Run] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit ?? -1])
                .map { try run(from: $0) }
        }
    }

    /// One run with its parameters, datasets, artifact descriptions and metrics, read in one snapshot.
    public func run(_ id: Int64) throws(StoreError) -> RunDetail {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
                throw StoreError.noRun(path: path, id: id)
            }
            let parameters = try Row.fetchAll(
                db, sql: "SELECT key, value FROM parameters WHERE run = ? ORDER BY key", arguments: [id]
            ).map { Parameter(key: try field($0, "key", "a parameter of run \(id)"), value: try field($0, "value", "a parameter of run \(id)")) }
            let datasets = try Row.fetchAll(
                db, sql: "SELECT name, path, bytes, sha256 FROM datasets WHERE run = ? ORDER BY id", arguments: [id]
            ).map { row in
                let what = "a dataset of run \(id)"
                return DatasetUse(name: try field(row, "name", what), path: try field(row, "path", what),
                                  bytes: try field(row, "bytes", what), sha256: try field(row, "sha256", what))
            }
            let artifacts = try Row.fetchAll(
                db, sql: "SELECT id, run, name, kind, bytes, created_at FROM artifacts WHERE run = ? ORDER BY id",
                arguments: [id]
            ).map { try artifactInfo($0) }
            let transcript = try Row.fetchAll(
                db, sql: "SELECT source, output, ending, note FROM transcript WHERE run = ? ORDER BY id", arguments: [id]
            ).map { row in
                let what = "a transcript entry of run \(id)"
                let ending: String = try field(row, "ending", what)
                guard let end = StatementEnd(rawValue: ending) else { throw malformed(what, "ending", ending) }
                let output: String = try field(row, "output", what)
                return TranscriptEntry(source: try field(row, "source", what),
                                       output: output.isEmpty ? [] : output.components(separatedBy: "\n"),
                                       end: end, note: try field(row, "note", what))
            }
            let results = try Row.fetchAll(
                db, sql: "SELECT source, model, split, protocol, metric, value FROM results WHERE run = ? ORDER BY id",
                arguments: [id]
            ).map { row in
                let what = "a result of run \(id)"
                let value: Double? = try field(row, "value", what)
                return EvaluationResult(
                    source: try field(row, "source", what), model: try field(row, "model", what),
                    split: try field(row, "split", what), evaluationProtocol: try field(row, "protocol", what),
                    metric: try field(row, "metric", what), value: value ?? .nan)
            }
            var detail = RunDetail(
                run: try run(from: row), parameters: parameters, datasets: datasets, artifacts: artifacts,
                metrics: try fetchMetrics(db, run: id, name: nil))
            detail.transcript = transcript
            detail.results = results
            return detail
        }
    }

    /// A run's metric points, optionally only those with one name, ordered as in `RunDetail.metrics`.
    public func metrics(_ run: Int64, name: String? = nil) throws(StoreError) -> [MetricPoint] {
        try read { db in
            try requireRun(run, db)
            return try fetchMetrics(db, run: run, name: name)
        }
    }

    // MARK: Helpers

    private func fetchMetrics(_ db: Database, run: Int64, name: String?) throws -> [MetricPoint] {
        try Row.fetchAll(
            db,
            sql: "SELECT step, name, value, epoch, split FROM metrics WHERE run = ? AND (? IS NULL OR name = ?) "
                + "ORDER BY step, name, split, id",
            arguments: [run, name, name]
        ).map { row in
            let what = "a metric of run \(run)"
            let value: Double? = try field(row, "value", what)
            return MetricPoint(
                step: try field(row, "step", what), name: try field(row, "name", what), value: value ?? .nan,
                epoch: try field(row, "epoch", what), split: try field(row, "split", what))
        }
    }

    /// Throws `noRun` unless the run exists; returns its status.
    @discardableResult
    private func requireRun(_ id: Int64, _ db: Database) throws -> RunStatus {
        guard let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [id])
        else { throw StoreError.noRun(path: path, id: id) }
        return RunStatus(rawValue: status) ?? .running
    }

    private func run(from row: Row) throws -> Run {
        let id: Int64 = try field(row, "id", "a run")
        let what = "run \(id)"
        let started: String = try field(row, "started_at", what)
        let ended: String? = try field(row, "ended_at", what)
        let status: String = try field(row, "status", what)
        guard let startedAt = Timestamp.date(started) else { throw malformed(what, "started_at", started) }
        guard let runStatus = RunStatus(rawValue: status) else { throw malformed(what, "status", status) }
        let pid: Int64 = try field(row, "pid", what)
        let seed: Int64 = try field(row, "seed", what)
        let kindText: String = try field(row, "kind", what)
        guard let kind = RunKind(rawValue: kindText) else { throw malformed(what, "kind", kindText) }
        let info = RunInfo(
            script: try field(row, "script", what), scriptPath: try field(row, "script_path", what),
            version: try field(row, "seqlab_version", what), gitCommit: try field(row, "git_commit", what),
            seed: UInt64(bitPattern: seed), threads: try field(row, "threads", what),
            blasThreads: try field(row, "blas_threads", what), blas: try field(row, "blas", what),
            cpuModel: try field(row, "cpu_model", what), pid: Int32(truncatingIfNeeded: pid),
            hostname: try field(row, "hostname", what), kind: kind, numerics: try field(row, "numerics", what))
        return Run(
            id: id, startedAt: startedAt, endedAt: ended.flatMap(Timestamp.date), status: runStatus,
            error: try field(row, "error", what), scriptSHA256: try field(row, "script_sha256", what),
            verdict: try field(row, "verdict", what), info: info)
    }

    private func artifactInfo(_ row: Row) throws -> ArtifactInfo {
        let id: Int64 = try field(row, "id", "an artifact")
        let what = "artifact \(id)"
        let created: String = try field(row, "created_at", what)
        guard let createdAt = Timestamp.date(created) else { throw malformed(what, "created_at", created) }
        return ArtifactInfo(
            id: id, run: try field(row, "run", what), name: try field(row, "name", what), kind: try field(row, "kind", what),
            bytes: try field(row, "bytes", what), createdAt: createdAt)
    }

    /// Column `column` of a row, decoded without trapping: GRDB's subscript traps on a NULL or on a
    /// value of another type, and a store edited by hand (or damaged) can hold either.
    private func field<T: DatabaseValueConvertible>(_ row: Row, _ column: String, _ what: String) throws -> T {
        do {
            return try row.decode(T.self, forColumn: column)
        } catch {
            throw malformed(what, column, (row[column] as DatabaseValue?).map { "\($0)" } ?? "nothing (no such column)")
        }
    }

    /// The error for a row whose column does not hold what SeqLab wrote there.
    private func malformed(_ what: String, _ column: String, _ found: String) -> StoreError {
        .database(path: path, message: "\(what) has a malformed row (column \(column) holds \(found)); "
                  + "the store was changed outside SeqLab: repair that row, or move the store away or choose another --store path")
    }

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.translating(path) { try pool.write(body) }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.translating(path) { try pool.read(body) }
    }

    /// Runs `body`, turning whatever it throws into a `StoreError` that names the file.
    private static func translating<T>(_ path: String, _ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw .notADatabase(path: path) }
            let message = error.message ?? "\(error)"
            // A damaged file, or tables that are not the ones SeqLab made: SQLite's words alone do not say what to do.
            if error.resultCode == .SQLITE_CORRUPT || message.hasPrefix("no such table") || message.hasPrefix("no such column") {
                throw .database(path: path, message: "the store is damaged or was changed outside SeqLab (SQLite: \(message)); "
                                + "move it away or choose another --store path")
            }
            throw .database(path: path, message: message)
        } catch {
            throw .database(path: path, message: "\(error)")
        }
    }
}
