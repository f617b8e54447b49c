// One entry point for the formats that need no column mapping, for the command line and scripts:
// `load("../shared/data/ml-100k", format: "recbole")`.

import Foundation

/// A data format `Dataset.load` knows by name.
public enum DataFormat: String, CaseIterable, Sendable {
    /// RecBole atomic files in a directory (`NAME.inter`, `.item`, `.user`).
    case recbole
    /// Pre-split RecBole benchmark files in a directory (`NAME.train/valid/test.inter`, ...).
    case presplit
    /// A NextItNet/PeterRec session CSV file.
    case sessions
    /// A GroupLens MovieLens directory (100K or 1M layout).
    case movielens
    /// Amazon review JSON lines.
    case amazon
}

extension DataFormat {
    /// True for the formats read from a directory of files rather than from one file.
    var readsDirectory: Bool { self == .recbole || self == .presplit || self == .movielens }

    /// What a directory of this format holds, for messages.
    var directoryContents: String {
        switch self {
        case .recbole: return "NAME.inter files (and .item, .user)"
        case .presplit: return "NAME.train/valid/test.inter files"
        case .movielens: return "GroupLens files (u.data or ratings.dat)"
        case .sessions, .amazon: return "files"
        }
    }
}

extension Dataset {
    /// Loads `path` in `format`, or guesses the format from what is there: a directory with
    /// `NAME.inter` is RecBole, with `NAME.train.inter` pre-split, with `u.data` or `ratings.dat`
    /// MovieLens; a `.json`/`.jsonl` file is Amazon reviews; a `.csv`/`.txt` file is sessions.
    public static func load(_ path: String, format: DataFormat? = nil) throws -> Dataset {
        let chosen = try format ?? guessFormat(path)
        // A directory format given a file would look for `file/file.inter`: say what was expected instead.
        if chosen.readsDirectory, fileExists(path) {
            throw DataError(file: path, line: nil, "is a file; format \(chosen.rawValue) reads a directory of \(chosen.directoryContents)")
        }
        switch chosen {
        case .recbole: return try RecBole.load(directory: path)
        case .presplit: return try PresplitBenchmark.load(directory: path).dataset
        case .sessions: return try SessionCSV.read(path)
        case .movielens: return try MovieLens.load(directory: path)
        case .amazon: return try AmazonReviews.read(reviews: path)
        }
    }

    /// Loads `path` in the format called `name` (one of `DataFormat.allCases`).
    public static func load(_ path: String, formatName name: String) throws -> Dataset {
        guard let format = DataFormat(rawValue: name.lowercased()) else {
            throw DataError.invalid("unknown data format '\(name)'; expected one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")) (for other CSV/TSV files use DelimitedFile with a column mapping)")
        }
        return try load(path, format: format)
    }

    static func guessFormat(_ path: String) throws -> DataFormat {
        let lower = path.lowercased()
        let fileFormat: DataFormat? = lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") ? .amazon
            : lower.hasSuffix(".csv") || lower.hasSuffix(".txt") ? .sessions : nil
        // A missing directory would otherwise read as "cannot tell the format"; a missing file of a
        // known kind gets its reader's "no such file".
        guard fileFormat != nil || FileManager.default.fileExists(atPath: path) else {
            throw DataError(file: path, line: nil, "no such file or directory; check the path (relative paths start at the working directory)")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        let name = lastPathComponent(path)
        if fileExists(base + name + ".inter") { return .recbole }
        if fileExists(base + name + ".train.inter") { return .presplit }
        if fileExists(base + "u.data") || fileExists(base + "ratings.dat") { return .movielens }
        if let fileFormat { return fileFormat }
        throw DataError(file: path, line: nil, "cannot tell the data format; give format: one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
