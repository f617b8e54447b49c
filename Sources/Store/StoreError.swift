// Every failure of the store is one of these values, so the CLI and the language can print a message
// that names the file and says what to do, and tests can match the exact case.
import Foundation

/// What went wrong in the run store, with enough context to tell the user what to do next.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store path names a directory, not a file.
    case isDirectory(path: String)
    /// The store path's parent directory does not exist.
    case missingDirectory(path: String, directory: String)
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// The file is an SQLite database of something else (it has tables but no SeqLab schema).
    case notAStore(path: String)
    /// The store was written by a newer SeqLab whose schema this build does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// No run with this id is in the store.
    case noRun(path: String, id: Int64)
    /// No artifact with this name (in this run, when one is given).
    case noArtifact(path: String, name: String, run: Int64?)
    /// A run that already ended cannot be ended again.
    case runAlreadyEnded(path: String, id: Int64, status: RunStatus)
    /// `finishRun` needs an end status; `running` is not one.
    case notAnEndStatus(RunStatus)
    /// A file to hash (a dataset, a script) could not be read.
    case unreadableFile(path: String)
    /// Any other SQLite failure, with SQLite's own message.
    case database(path: String, message: String)

    /// The message shown to the user: the file, the problem, and the next step.
    public var description: String {
        switch self {
        case .isDirectory(let path):
            return "\(path): is a directory, not a run store; pass a file path such as \(path)/seqlab.sqlite"
        case .missingDirectory(let path, let directory):
            return "\(path): directory \(directory) does not exist; create it or choose another --store path"
        case .notADatabase(let path):
            return "\(path): file is not a database; move it away or choose another --store path"
        case .notAStore(let path):
            return "\(path): an SQLite database, but not a SeqLab run store; choose another --store path"
        case .newerSchema(let path, let found, let supported):
            return "\(path): written by a newer SeqLab (schema version \(found), this build reads up to \(supported)); "
                + "upgrade SeqLab or choose another --store path"
        case .noRun(let path, let id):
            return "\(path): no run \(id); `seqlab runs` lists them"
        case .noArtifact(let path, let name, let run):
            let scope = run.map { " in run \($0)" } ?? ""
            return "\(path): no artifact named \"\(name)\"\(scope); `seqlab show RUN` lists a run's artifacts"
        case .runAlreadyEnded(let path, let id, let status):
            return "\(path): run \(id) already ended as \(status.rawValue); begin a new run to record more"
        case .notAnEndStatus(let status):
            return "a run cannot be finished with status \(status.rawValue); use finished, failed or interrupted"
        case .unreadableFile(let path):
            return "\(path): cannot read the file; check that it exists and is readable"
        case .database(let path, let message):
            return "\(path): \(message)"
        }
    }
}

extension StoreError: LocalizedError {
    /// The same text as `description`, so Foundation's `localizedDescription` shows it too.
    public var errorDescription: String? { description }
}
