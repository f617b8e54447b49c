// Where downloaded text models live. `make models` puts them under Data/models of the package (git-
// ignored); SEQLAB_MODELS points elsewhere (a shared cache, a CI volume); an explicit path wins.

import Foundation

/// Finds a model's directory.
public enum ModelDirectory {
    /// The directory name of all-MiniLM-L6-v2 under a models root.
    public static let miniLM = "all-minilm-l6-v2"
    /// The environment variable naming a models root.
    public static let environmentVariable = "SEQLAB_MODELS"

    /// The directory of model `name`: `explicit` when given, else `$SEQLAB_MODELS/<name>` when the
    /// variable is set and not empty, else `<root>/Data/models/<name>`, where root is the package
    /// root (the current directory unless the caller knows better, as tests do). The directory is
    /// not checked here; the loaders say what is missing.
    public static func resolve(_ name: String = miniLM, explicit: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               root: String = FileManager.default.currentDirectoryPath) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let models = environment[environmentVariable], !models.isEmpty {
            return (models as NSString).appendingPathComponent(name)
        }
        return ((root as NSString).appendingPathComponent("Data/models") as NSString).appendingPathComponent(name)
    }

    /// What to do when a model file is missing.
    static let fetchHint = "run `make models` (or scripts/fetch-minilm.sh DIR and pass DIR or set SEQLAB_MODELS)"
}
