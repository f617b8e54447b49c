// A run killed with SIGKILL (or lost to a crash or power cut) never reaches `finishRun` and would stay
// `running` forever. Every open therefore checks each `running` run's recorded process and marks the
// run `interrupted` when that process is gone, so listings never show a dead run as in progress.
import Foundation
import GRDB

enum RunRecovery {
    /// Marks `running` runs whose process is gone as `interrupted`; returns their ids, ascending.
    static func markInterrupted(_ db: Database) throws -> [Int64] {
        let host = Machine.hostname()
        var recovered: [Int64] = []
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, pid, process_start, hostname FROM runs WHERE status = 'running' ORDER BY id")
        for row in rows {
            // Throwing decodes: GRDB's subscript traps on a NULL or mistyped value in a damaged store.
            let id: Int64 = try row.decode(forColumn: "id")
            let pid: Int64 = try row.decode(forColumn: "pid")
            let runHost: String = try row.decode(forColumn: "hostname")
            let startTicks: Int64? = try row.decode(forColumn: "process_start")
            // A run recorded on another host cannot be checked from here; a store on a shared disk is
            // not used concurrently from two hosts (SQLite's WAL needs shared memory), so it is dead.
            let reason: String
            if runHost != host {
                reason = "process \(pid) ran on host \(runHost), not this one (\(host))"
            } else if !Machine.isAlive(pid: Int32(truncatingIfNeeded: pid), startTicks: startTicks) {
                reason = "process \(pid) ended without finishing the run"
            } else {
                continue
            }
            try db.execute(
                sql: "UPDATE runs SET status = 'interrupted', error = ? WHERE id = ? AND status = 'running'",
                arguments: ["interrupted: \(reason) (found \(Timestamp.text(Timestamp.now())))", id])
            recovered.append(id)
        }
        return recovered
    }
}
