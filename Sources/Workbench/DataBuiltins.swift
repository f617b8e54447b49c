// The data builtins of the language: `load`, `synthetic`, and the members of datasets, splits and
// row sets. They wrap the Datasets module; its errors (which name the file and line) become script
// errors at the call, so a bad file in a notebook points at both the file and the notebook line.

import Datasets
import Script
import Tensors

/// A dataset as the language holds it.
public final class DatasetObject: ScriptObject {
    /// The dataset.
    public let dataset: Dataset
    /// Where it came from (for the run store), if from a file.
    public let path: String?
    /// How a delimited file was read (which columns, or session lines), shown under the summary.
    public let readAs: String?

    init(_ dataset: Dataset, path: String?, readAs: String? = nil) {
        self.dataset = dataset
        self.path = path
        self.readAs = readAs
    }

    public var typeName: String { "Dataset" }
    public var summary: String { "Dataset " + dataset.description + (readAs.map { "\n  read as " + $0 } ?? "") }
    public var oneLine: String { "\(dataset.name): \(dataset.userCount) users, \(dataset.itemCount) items, \(dataset.interactionCount) interactions" }
    public var length: Int? { dataset.userCount }

    /// How an item reads for people: its text (a title) when the data has one, else its token.
    func label(_ item: Int) -> String {
        if let text = dataset.itemText, item < text.count, !text[item].isEmpty { return text[item] }
        return dataset.items.token(item) ?? "?"
    }
}

/// A train / validation / test split.
public final class SplitObject: ScriptObject {
    /// The split.
    public let split: Split
    /// The dataset it was made from (for a transfer task: a dataset of the task's target labels).
    public let source: DatasetObject
    /// For a transfer task: the task, and the dataset whose item ids its source histories use.
    public let transfer: (task: TransferTask, histories: DatasetObject)?

    init(_ split: Split, source: DatasetObject) {
        self.split = split
        self.source = source
        transfer = nil
    }

    /// A transfer task's split: targets are the labels of `source`, histories items of `histories`.
    init(task: TransferTask, labels: DatasetObject, histories: DatasetObject) {
        split = task.split
        source = labels
        transfer = (task, histories)
    }

    public var typeName: String { "Split" }
    public var summary: String {
        "Split of \(source.dataset.name): \(split.protocolDescription)\n"
            + "  train \(split.train.count) rows (\(split.train.kind.rawValue), \(split.train.predictionCount) predictions), "
            + "valid \(split.valid.count), test \(split.test.count); max length \(split.maxLength)"
    }
    public var oneLine: String { "split of \(source.dataset.name): train \(split.train.count), valid \(split.valid.count), test \(split.test.count)" }
}

/// One part of a split (training, validation or test rows).
public final class RowsObject: ScriptObject {
    /// The rows.
    public let rows: Rows
    /// "train", "valid" or "test".
    public let part: String

    init(_ rows: Rows, part: String) {
        self.rows = rows
        self.part = part
    }

    public var typeName: String { "Rows" }
    public var summary: String {
        "\(part): \(rows.count) rows (\(rows.kind.rawValue)), \(rows.predictionCount) predictions, longest history \(rows.longestHistory)"
    }
    public var length: Int? { rows.count }
}

extension Registry {
    func registerData() {
        describeType("Dataset", "users and items mapped to dense ids (0 = padding), each user's events in time order")
        describeType("Split", "training, validation and test rows under one evaluation protocol")
        describeType("Rows", "the rows of one part of a split")
        registerLoading()
        registerDatasetMembers()
        registerDatasetSelections()
        registerSplitMembers()
    }

    /// `load` and `synthetic`.
    private func registerLoading() {
        let column = ParameterType.oneOf([.string, .integer])
        register(BuiltinSpec("load", topic: "data", parameters: [
            Parameter("path", .string, positional: true, help: "a directory (RecBole, pre-split, MovieLens) or a file (CSV/TSV of interactions, sessions, Amazon JSON lines)"),
            Parameter("format", .string, default: Value.none,
                      help: "one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")); guessed when omitted"),
            Parameter("user", column, default: Value.none, help: "CSV: the user column, by header name or position (0 = first); found by name (user, user_id, userId, uid, …) when omitted"),
            Parameter("item", column, default: Value.none, help: "CSV: the item column (item, item_id, movieId, product_id, asin, … when omitted)"),
            Parameter("time", column, default: Value.none, help: "CSV: the time column, Unix seconds or ISO dates (timestamp, time, ts, date, … when omitted; none: file order)"),
            Parameter("rating", column, default: Value.none, help: "CSV: the rating column (rating, score, stars, … when omitted)"),
            Parameter("minRating", .number, default: Value.none, help: "CSV: keep only rows rated at least this"),
            Parameter("separator", .string, default: Value.none, help: "CSV: the field separator; a tab for .tsv, else the one of , ; | tab the header holds"),
            Parameter("order", .string, default: .string("exact"),
                      help: "RecBole: \"exact\" orders each user's events by their times as written, \"recbole\" as RecBole 1.2.1 does (times min-max normalised and rounded to Float32, so events about a second apart tie and keep file order), which gives RecBole's rows"),
        ], help: "Loads a dataset from files. A CSV/TSV file is read by its header's column names, or as session lines (one user per line) when it has no header; the result says which.") { args, interpreter in
            let path = try args.string("path")
            func columnArgument(_ name: String) throws -> ColumnMapping.Column? {
                switch args.value(name) {
                case .none: return nil
                case .string(let s): return .name(s)
                default: return .index(try args.int(name, min: 0))
                }
            }
            let request = DelimitedRequest(user: try columnArgument("user"), item: try columnArgument("item"),
                                           time: try columnArgument("time"), rating: try columnArgument("rating"),
                                           minRating: args.has("minRating") ? try args.number("minRating") : nil,
                                           separator: args.has("separator") ? try args.string("separator") : nil)
            do {
                let format = args.has("format")
                    ? DataFormat(rawValue: try args.string("format", choices: DataFormat.allCases.map(\.rawValue)))
                    : nil
                if let format, format != .csv, !request.isEmpty {
                    let named = ["user", "item", "time", "rating", "minRating", "separator"].first { args.has($0) }!
                    throw args.error(named, "\(named): applies to CSV files; drop it, or use format: \"csv\" instead of \"\(format.rawValue)\"")
                }
                let order = EventOrder(rawValue: try args.string("order", choices: EventOrder.allCases.map(\.rawValue)))!
                let loaded = try Dataset.loadDescribed(path, format: format, request: request, eventOrder: order)
                RunSession.of(interpreter)?.recordDataset(name: loaded.dataset.name, path: path)
                return .object(DatasetObject(loaded.dataset, path: path, readAs: loaded.readAs))
            } catch let e as ScriptError {
                throw e
            } catch {
                throw scriptError(error, args)
            }
        })

        register(BuiltinSpec("synthetic", topic: "data", parameters: [
            Parameter("size", .string, positional: true, default: .string("toy"), help: "toy, small, medium or large (about 6k to 1M interactions), or sparse (about 92k events over 10.9k items, histories of 5 to 21)"),
            Parameter("seed", .integer, default: .number(1), help: "the world's seed (independent of seed())"),
            Parameter("domain", .string, default: Value.none, help: "which domain: \(SyntheticWorld.domainNames.joined(separator: ", ")); the first if omitted"),
        ], help: "Makes a synthetic world with known structure (tastes, genres, item-to-item transitions).") { args, _ in
            let size = try args.string("size", choices: WorldSpec.names)
            guard var spec = WorldSpec.named(size) else { throw args.error("size", "unknown world size \"\(size)\"") }
            spec.seed = UInt64(try args.int("seed", min: 0))
            let world: SyntheticWorld
            do { world = try SyntheticWorld.generate(spec) } catch { throw scriptError(error, args) }
            let names = world.domains.map { String($0.name.dropFirst("synthetic-".count)) }
            if args.has("domain") {
                let name = try args.string("domain", choices: names)
                return .object(DatasetObject(world.domain(name)!, path: nil))
            }
            return .object(DatasetObject(world.domains[0], path: nil))
        })
    }

    /// Members of Dataset: its sizes, attributes, sequences and statistics, and the k-core and session cuts.
    private func registerDatasetMembers() {
        dataset("name", "The dataset's name.", isProperty: true) { d, _ in .string(d.dataset.name) }
        dataset("users", "Number of users.", isProperty: true) { d, _ in .number(Double(d.dataset.userCount)) }
        dataset("items", "Number of items.", isProperty: true) { d, _ in .number(Double(d.dataset.itemCount)) }
        dataset("interactions", "Number of interactions.", isProperty: true) { d, _ in .number(Double(d.dataset.interactionCount)) }
        dataset("attributes", "Names of the user attribute columns.", isProperty: true) { d, _ in
            .list((d.dataset.userAttributes?.names ?? []).map { .string($0) })
        }
        dataset("sequence", "A user's items in time order, as their ids in the data.", parameters: [
            Parameter("user", .oneOf([.integer, .string]), positional: true, help: "a user by id (see help(\"naming\"))"),
        ]) { d, args in
            let u = try d.resolveUser(args.value("user"), args, "user")
            return .list(d.dataset.sequence(of: u).map { .string(d.dataset.items.token(Int($0)) ?? "?") })
        }
        dataset("stats", "Item popularity: Gini coefficient, cold items, the five most frequent items (titles when known).") { d, _ in
            let s = d.dataset.itemStatistics()
            let top = s.byPopularity.prefix(5).map { Value.string(d.label(Int($0))) }
            return .record(Record([("gini", .number((s.gini * 1000).rounded() / 1000)), ("coldItems", .number(Double(s.coldItems))),
                                   ("top", .list(top))]))
        }
        dataset("kcore", "Keeps users and items with at least k interactions, iterated until stable.", parameters: [
            Parameter("users", .integer, default: .number(5), help: "minimum interactions per user"),
            Parameter("items", .integer, default: .number(5), help: "minimum interactions per item"),
        ]) { d, args in
            let users = try args.int("users", min: 1), items = try args.int("items", min: 1)
            let kept = d.dataset.kCore(userCore: users, itemCore: items)
            // An empty dataset would only fail later, far from the thresholds that emptied it.
            guard kept.interactionCount > 0 else {
                throw args.error("kcore(users: \(users), items: \(items)) leaves no interactions in \(d.dataset.name); lower the thresholds")
            }
            return .object(DatasetObject(kept, path: d.path))
        }
        dataset("sessions", "Cuts each history into sessions where the time gap between two events exceeds gap; each session becomes a user \"<user>#<k>\".", parameters: [
            Parameter("gap", .number, positional: true, help: "the longest pause inside a session, in the units of the time column (seconds for MovieLens)"),
            Parameter("minLength", .integer, default: .number(2), help: "drop sessions shorter than this"),
        ]) { d, args in
            return try args.rethrowing {
                return .object(DatasetObject(try d.dataset.splitSessions(maxGap: try args.number("gap", min: 0),
                                                                         minLength: try args.int("minLength", min: 1)), path: d.path))
            }
        }
        dataset("subsessions", "Cuts every history longer than maxLength at its largest time gap, recursively (the seed papers' max-gap split).", parameters: [
            Parameter("maxLength", .integer, positional: true, help: "the longest piece"),
            Parameter("minLength", .integer, default: .number(2), help: "drop pieces shorter than this"),
        ]) { d, args in
            return try args.rethrowing {
                return .object(DatasetObject(try d.dataset.splitAtLargestGaps(maxLength: try args.int("maxLength", min: 1),
                                                                              minLength: try args.int("minLength", min: 1)), path: d.path))
            }
        }
    }

    /// Members of Dataset that select items, give their text, dedup, truncate and split.
    private func registerDatasetSelections() {
        dataset("selectItems", "Keeps the items whose item column (e.g. the genres in \"class\") has one of the given words, or with exclude: true none of them; an item-disjoint domain for text-based transfer.", parameters: [
            Parameter("column", .string, positional: true, help: "an item column (see the .item file's header)"),
            Parameter("values", .list, positional: true, help: "words to match, e.g. [\"Action\", \"War\"]"),
            Parameter("exclude", .bool, default: .bool(false), help: "keep the items matching none of them instead"),
            Parameter("minLength", .integer, default: .number(5), help: "drop users left with fewer events than this"),
        ]) { d, args in
            let values = try args.list("values").map { v -> String in
                guard case .string(let s) = v else { throw args.error("values", "values must be strings, e.g. [\"Action\"]") }
                return s
            }
            return try args.rethrowing {
                return .object(DatasetObject(try d.dataset.selectingItems(column: try args.string("column"), values: values,
                                                                          exclude: try args.bool("exclude"),
                                                                          minLength: try args.int("minLength", min: 1)), path: d.path))
            }
        }
        dataset("text", "Item texts in id order (or of the given items): the title, or the named item columns joined by spaces.", parameters: [
            Parameter("items", .list, default: Value.none, help: "item tokens or titles (default: every item)"),
            Parameter("columns", .list, default: Value.none, help: "item columns to join, e.g. [\"movie_title\", \"release_year\", \"class\"]"),
        ]) { d, args in
            let columns = try (args.has("columns") ? try args.list("columns") : nil)?.map { v -> String in
                guard case .string(let s) = v else { throw args.error("columns", "columns must be strings") }
                return s
            }
            let texts: [String]
            do { texts = try d.dataset.itemTexts(columns: columns) } catch { throw scriptError(error, args) }
            if !args.has("items") { return .list(texts.dropFirst().map { .string($0) }) }
            return .list(try args.list("items").map { v in .string(texts[try d.resolveItem(v, args, "items")]) })
        }
        dataset("dedup", "Removes repeated (user, item) events, keeping the first.") { d, _ in
            .object(DatasetObject(d.dataset.deduplicated(), path: d.path))
        }
        dataset("truncate", "Keeps each user's last n events.", parameters: [
            Parameter("n", .integer, positional: true, help: "events to keep per user"),
        ]) { d, args in .object(DatasetObject(d.dataset.truncated(toLast: try args.int("n", min: 1)), path: d.path)) }
        dataset("split", "Splits into training, validation and test rows.", parameters: [
            Parameter("kind", .string, positional: true, default: .string("leave-one-out"),
                      help: "\"leave-one-out\", \"temporal\", or \"sessions\" (whole users held out, as the authors' NextItNet, PeterRec and Conure code splits: ratios of users, a held-out user's last item is predicted)"),
            Parameter("maxLength", .integer, default: .number(50), help: "longest history a row keeps"),
            Parameter("training", .string, default: .string("prefix"), help: "\"prefix\" (history → next item) or \"sequence\" (every position predicts the next)"),
            Parameter("ratios", .list, default: Value.none,
                      help: "train/valid/test fractions: of each user's events (temporal, default [0.8, 0.1, 0.1]) or of the users (sessions, default [0.8, 0, 0.2], the original's tt_percentage 0.2)"),
            Parameter("seed", .integer, default: .number(10), help: "sessions: the seed of the users' shuffle (the original's np.random.seed(10), though not numpy's permutation)"),
        ]) { d, args in
            let kind = try args.string("kind", choices: ["leave-one-out", "temporal", "sessions"])
            let maxLength = try args.int("maxLength", min: 1)
            let training = RowKind(rawValue: try args.string("training", choices: ["prefix", "sequence"]))!
            return try args.rethrowing {
                if kind == "temporal" || kind == "sessions" {
                    let given = args.has("ratios") ? try args.list("ratios")
                        : (kind == "temporal" ? [0.8, 0.1, 0.1] : [0.8, 0, 0.2]).map { Value.number($0) }
                    let ratios = try given.map { v -> Double in
                        guard case .number(let x) = v, x >= 0 else { throw args.error("ratios", "ratios must be non-negative numbers") }
                        return x
                    }
                    guard ratios.count == 3 else { throw args.error("ratios", "ratios needs three numbers (train, valid, test)") }
                    guard ratios.reduce(0, +) > 0 else { throw args.error("ratios", "ratios are all zero; give the train, valid and test shares, e.g. [0.8, 0.1, 0.1]") }
                    if kind == "sessions" {
                        do {
                            return .object(SplitObject(try d.dataset.sessionHoldOut(ratios: ratios, seed: UInt64(try args.int("seed", min: 0)),
                                                                                     maxLength: maxLength, training: training), source: d))
                        } catch let e as DataError { throw args.error("ratios", e.message) }
                    }
                    return .object(SplitObject(try d.dataset.temporalSplit(ratios: ratios, maxLength: maxLength, training: training), source: d))
                }
                return .object(SplitObject(try d.dataset.leaveOneOut(maxLength: maxLength, training: training), source: d))
            }
        }
    }

    /// Members of Split: its parts, protocol and dataset.
    private func registerSplitMembers() {
        for part in ["train", "valid", "test"] {
            registerMethod(BuiltinSpec(part, owner: "Split", topic: "data", isProperty: true, help: "The \(part) rows.") { args, _ in
                let s = args.receiver(as: SplitObject.self)
                let rows = part == "train" ? s.split.train : part == "valid" ? s.split.valid : s.split.test
                return .object(RowsObject(rows, part: part))
            })
        }
        registerMethod(BuiltinSpec("protocol", owner: "Split", topic: "data", isProperty: true,
                                   help: "The evaluation protocol, as printed in result headers.") { args, _ in
            .string(args.receiver(as: SplitObject.self).split.protocolDescription)
        })
        registerMethod(BuiltinSpec("dataset", owner: "Split", topic: "data", isProperty: true, help: "The dataset it was made from.") { args, _ in
            .object(args.receiver(as: SplitObject.self).source)
        })
    }

    /// Registers a member of Dataset whose body gets the dataset and the arguments.
    private func dataset(_ name: String, _ help: String, parameters: [Parameter] = [], isProperty: Bool = false,
                         _ body: @escaping (DatasetObject, Arguments) throws -> Value) {
        registerMethod(BuiltinSpec(name, owner: "Dataset", topic: "data", parameters: parameters, isProperty: isProperty, help: help) { args, _ in
            try body(args.receiver(as: DatasetObject.self), args)
        })
    }
}
