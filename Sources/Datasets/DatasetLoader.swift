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
    /// A CSV/TSV file of interaction rows (user, item, and optionally time and rating columns).
    case csv
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
        case .sessions, .amazon, .csv: return "files"
        }
    }
}

/// A dataset and how its file was read, when that is worth telling the user (delimited files).
public struct LoadedDataset {
    /// The dataset.
    public let dataset: Dataset
    /// How the file was read, e.g. `columns user = 'user', item = 'item', time = 'ts'`; nil for formats
    /// with one fixed layout.
    public let readAs: String?
}

extension Dataset {
    /// Loads `path` in `format`, or guesses the format from what is there: a directory with
    /// `NAME.inter` is RecBole, with `NAME.train.inter` pre-split, with `u.data` or `ratings.dat`
    /// MovieLens; a `.json`/`.jsonl` file is Amazon reviews; a `.csv`/`.tsv`/`.txt` file is read by
    /// its header (see `DelimitedFile.plan`), or as session lines when it has none.
    public static func load(_ path: String, format: DataFormat? = nil) throws -> Dataset {
        try loadDescribed(path, format: format).dataset
    }

    /// Loads `path` like `load`, with the caller's column choices for delimited files and event
    /// order for RecBole's atomic files, and says how a delimited file was read.
    public static func loadDescribed(_ path: String, format: DataFormat? = nil,
                                     request: DelimitedRequest = DelimitedRequest(),
                                     eventOrder: EventOrder = .exact) throws -> LoadedDataset {
        let chosen = try format ?? (request.isEmpty ? guessFormat(path) : .csv)
        if !request.isEmpty && chosen != .csv {
            throw DataError.invalid("user:, item:, time:, rating:, minRating: and separator: apply to format \"csv\" only, not \"\(chosen.rawValue)\"")
        }
        if eventOrder != .exact && chosen != .recbole {
            throw DataError.invalid("order: \"\(eventOrder.rawValue)\" applies to RecBole atomic files (format \"recbole\"), not \"\(chosen.rawValue)\"")
        }
        // A directory format given a file would look for `file/file.inter`: say what was expected instead.
        if chosen.readsDirectory, fileExists(path) {
            throw DataError(file: path, line: nil, "is a file; format \(chosen.rawValue) reads a directory of \(chosen.directoryContents)")
        }
        switch chosen {
        case .recbole:
            var options = RecBoleOptions()
            options.eventOrder = eventOrder
            return LoadedDataset(dataset: try RecBole.load(directory: path, options: options), readAs: nil)
        case .presplit: return LoadedDataset(dataset: try PresplitBenchmark.load(directory: path).dataset, readAs: nil)
        case .sessions: return LoadedDataset(dataset: try SessionCSV.read(path), readAs: sessionsNote)
        case .movielens: return LoadedDataset(dataset: try MovieLens.load(directory: path), readAs: nil)
        case .amazon: return LoadedDataset(dataset: try AmazonReviews.read(reviews: path), readAs: nil)
        case .csv: return try loadDelimited(path, request: request, allowSessions: format == nil && request.isEmpty)
        }
    }

    /// What a file read as session lines is, for the load's description.
    static let sessionsNote = "sessions: no header line, so each line is one user's items in order (for rows of user, item, time give format: \"csv\" with user: and item:)"

    /// Reads a delimited file by the plan its header (or the request) gives.
    static func loadDelimited(_ path: String, request: DelimitedRequest, allowSessions: Bool) throws -> LoadedDataset {
        switch try DelimitedFile.plan(path, request: request, allowSessions: allowSessions) {
        case .sessions:
            return LoadedDataset(dataset: try SessionCSV.read(path), readAs: sessionsNote)
        case .columns(let mapping, let header):
            let (dataset, counts) = try DelimitedFile.readCounting(path, mapping: mapping)
            func describe(_ c: ColumnMapping.Column) -> String {
                switch c {
                case .name(let n): return "'\(n)'"
                case .index(let k): return header.map { "'\($0[k])'" } ?? "column \(k)"
                }
            }
            var parts = ["user = \(describe(mapping.user))", "item = \(describe(mapping.item))"]
            parts.append(mapping.time.map { "time = \(describe($0))" } ?? "no time column (file order)")
            if let r = mapping.rating {
                parts.append("rating = \(describe(r))" + (mapping.minRating.map { " ≥ \(formatThreshold($0)): kept \(counts.kept) of \(counts.rows) rows" } ?? " (not used)"))
            }
            let sep = mapping.delimiter == "\t" ? "tab" : "'\(mapping.delimiter ?? ",")'"
            return LoadedDataset(dataset: dataset, readAs: "columns " + parts.joined(separator: ", ") + "; \(sep)-separated" + (header == nil ? ", no header" : ""))
        }
    }

    private static func formatThreshold(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// Loads `path` in the format called `name` (one of `DataFormat.allCases`).
    public static func load(_ path: String, formatName name: String) throws -> Dataset {
        guard let format = DataFormat(rawValue: name.lowercased()) else {
            throw DataError.invalid("unknown data format '\(name)'; expected one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try load(path, format: format)
    }

    static func guessFormat(_ path: String) throws -> DataFormat {
        let lower = path.lowercased()
        let fileFormat: DataFormat? = lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") ? .amazon
            : [".csv", ".tsv", ".tab", ".txt"].contains(where: { lower.hasSuffix($0) }) ? .csv : nil
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
