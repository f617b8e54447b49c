// Where the sentence encoder's files are. A user may start seqlab from any directory, so the default
// is not the current directory but the checkout the seqlab executable was built in (where
// `make models` puts the files); an explicit directory and SEQLAB_MODELS come first.

import Foundation

/// Where model files (e.g. the MiniLM sentence encoder) are looked for.
public enum ModelDirectory {
    /// The directory name of all-MiniLM-L6-v2 under a models root.
    public static let miniLM = "all-minilm-l6-v2"
    /// The environment variable naming a models root.
    public static let environmentVariable = "SEQLAB_MODELS"

    /// One place looked at, and why it is on the list (for messages).
    public struct Candidate: Equatable, Sendable {
        /// The directory.
        public var path: String
        /// Where the candidate comes from, e.g. "SEQLAB_MODELS".
        public var origin: String
    }

    /// The places model `name` is looked for, in order: `explicit` alone, else `$SEQLAB_MODELS/<name>`
    /// alone when set, else
    /// `Data/models/<name>` of the checkout holding the running executable (where `make models`
    /// installs it), then of `root` (the current directory unless the caller knows better).
    public static func candidates(_ name: String = miniLM, explicit: String? = nil,
                                  environment: [String: String] = ProcessInfo.processInfo.environment,
                                  executable: String? = runningExecutable(),
                                  root: String = FileManager.default.currentDirectoryPath) -> [Candidate] {
        if let explicit, !explicit.isEmpty { return [Candidate(path: explicit, origin: "the model: argument")] }
        var list: [Candidate] = []
        // A variable the user set is meant: falling back past a wrong one would hide the mistake.
        if let models = environment[environmentVariable], !models.isEmpty {
            return [Candidate(path: (models as NSString).appendingPathComponent(name), origin: environmentVariable)]
        }
        if let checkout = executable.flatMap(checkoutRoot) {
            list.append(Candidate(path: install(name, under: checkout), origin: "where `make models` installs it"))
        }
        let here = install(name, under: root)
        if !list.contains(where: { $0.path == here }) { list.append(Candidate(path: here, origin: "the current directory")) }
        return list
    }

    /// The first candidate that is a directory; nil when none is.
    public static func locate(_ name: String = miniLM, explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String? = runningExecutable(),
                              root: String = FileManager.default.currentDirectoryPath) -> String? {
        candidates(name, explicit: explicit, environment: environment, executable: executable, root: root)
            .first { isDirectory($0.path) }?.path
    }

    /// The directory of model `name`: the first candidate that exists, else the first candidate
    /// (the loaders then say what is missing, with `notFound`).
    public static func resolve(_ name: String = miniLM, explicit: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               executable: String? = runningExecutable(),
                               root: String = FileManager.default.currentDirectoryPath) -> String {
        let list = candidates(name, explicit: explicit, environment: environment, executable: executable, root: root)
        return list.first { isDirectory($0.path) }?.path ?? list[0].path
    }

    /// The error when no candidate holds the model: every place looked at, and what to do.
    public static func notFound(_ name: String = miniLM, explicit: String? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> TextError {
        let looked = candidates(name, explicit: explicit, environment: environment)
        let places = looked.map { "\($0.path) (\($0.origin))" }.joined(separator: "; ")
        let unset = environment[environmentVariable].map { _ in "" } ?? "; \(environmentVariable) is not set"
        return TextError(file: looked[0].path, "no model directory here; looked in \(places)\(unset); \(fetchHint)")
    }

    /// What to do when a model file is missing.
    static let fetchHint = "run `make models` in the seqlab checkout, or fetch it with scripts/fetch-minilm.sh DIR and pass model: DIR or set SEQLAB_MODELS to DIR's parent"

    /// `Data/models/<name>` under `root`.
    static func install(_ name: String, under root: String) -> String {
        ((root as NSString).appendingPathComponent("Data/models") as NSString).appendingPathComponent(name)
    }

    static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    /// The running executable's path, links resolved (Linux: /proc/self/exe).
    public static func runningExecutable() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }

    /// The nearest directory above `executable` that holds a Package.swift (a checkout whose
    /// `.build/<configuration>/` the executable sits in), within six levels.
    static func checkoutRoot(_ executable: String) -> String? {
        var dir = (executable as NSString).deletingLastPathComponent
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("Package.swift")) { return dir }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir { break }
            dir = parent
        }
        return nil
    }
}
