// Tasks for transfer learning: the PeterRec source → target item task, and user-level label tasks
// built from a user attribute (gender, age bucket, occupation).

import Tensors

/// Source sequences with target items (PeterRec / Conure fine-tuning): each example is one
/// (source sequence, target item) pair; several examples may share a source row.
public struct SourceTargetTask: Sendable {
    /// Source item tokens ↔ ids (shared with the pretraining data when given).
    public let sourceItems: Vocabulary
    /// Target item tokens ↔ ids (their own vocabulary; 0 = padding).
    public let targetItems: Vocabulary
    /// Source sequences back to back.
    public let storage: [Int32]
    /// Source row r is `storage[starts[r]..<starts[r + 1]]`.
    public let starts: [Int]
    /// Where each source row came from: its file line, or its user id for a cross-domain task.
    public let sourceLines: [Int]
    /// The source row of each example.
    public let exampleRows: [Int32]
    /// The target id of each example.
    public let exampleTargets: [Int32]

    /// Number of examples.
    public var count: Int { exampleRows.count }
    /// Number of source rows.
    public var sourceRowCount: Int { starts.count - 1 }
    /// The source sequence of example `e`.
    public func source(ofExample e: Int) -> ArraySlice<Int32> {
        let r = Int(exampleRows[e])
        return storage[starts[r]..<starts[r + 1]]
    }

    /// A cross-domain task (PeterRec's ColdRec setting): for every user present in both datasets
    /// (matched by token), the source is their last `maxSourceLength` events in `source` and the
    /// targets are their first `targetsPerUser` distinct items in `target`. Source ids are those of
    /// `source.items`; target ids are given in order of first appearance, users in `source` order.
    public static func crossDomain(source: Dataset, target: Dataset, maxSourceLength: Int = 50,
                                   targetsPerUser: Int = 3) throws -> SourceTargetTask {
        guard maxSourceLength >= 1, targetsPerUser >= 1 else {
            throw DataError.invalid("maxSourceLength and targetsPerUser must be at least 1, got \(maxSourceLength) and \(targetsPerUser)")
        }
        var targets = Vocabulary()
        var storage: [Int32] = [], starts = [0], lines: [Int] = []
        var rows: [Int32] = [], labels: [Int32] = []
        var seen = [Int32](repeating: -1, count: target.items.count)  // last row that took each item
        for u in 1..<source.users.count where source.length(of: u) > 0 {
            guard let t = target.users.id(of: source.users.tokens[u]), target.length(of: Int(t)) > 0 else { continue }
            let row = Int32(lines.count)
            storage.append(contentsOf: source.sequence(of: u).suffix(maxSourceLength))
            starts.append(storage.count)
            lines.append(u)
            var taken = 0
            for item in target.sequence(of: Int(t)) where taken < targetsPerUser && seen[Int(item)] != row {
                seen[Int(item)] = row
                rows.append(row)
                labels.append(targets.intern(target.items.tokens[Int(item)]))
                taken += 1
            }
        }
        guard !rows.isEmpty else {
            throw DataError.invalid("datasets '\(source.name)' and '\(target.name)' share no users with events; a cross-domain task needs common user tokens")
        }
        return SourceTargetTask(sourceItems: source.items, targetItems: targets, storage: storage, starts: starts,
                                sourceLines: lines, exampleRows: rows, exampleTargets: labels)
    }

    /// Rows for `examples` (indices into the examples), ready for a `Batcher`: the history is the
    /// source sequence and the target is the example's id in `targetItems` (not a source item id).
    public func rows(for examples: [Int]) throws -> Rows {
        var storage: [Int32] = [], users: [Int32] = [], starts: [Int] = [], ends: [Int] = []
        for e in examples {
            guard e >= 0 && e < count else { throw DataError.invalid("example \(e) is out of range 0..<\(count)") }
            starts.append(storage.count)
            storage.append(contentsOf: source(ofExample: e))
            ends.append(storage.count)
            storage.append(exampleTargets[e])
            users.append(exampleRows[e] + 1)  // source rows numbered from 1, as users are
        }
        return Rows(unchecked: .prefix, storage: storage, users: users, starts: starts, ends: ends)
    }

    /// Example indices split into train / valid / test by a seeded permutation (stream
    /// "source-target-split"); `fractions` are the valid and test shares. Like the reference code
    /// this splits examples, so one user's source can appear in train and test with different targets.
    public func split(validFraction: Double = 0.1, testFraction: Double = 0.1,
                      seed: Seed) throws -> (train: [Int], valid: [Int], test: [Int]) {
        try seededPartition(count: count, validFraction: validFraction, testFraction: testFraction,
                            stream: seed.stream("source-target-split"))
    }
}

/// A user-level classification task from one user attribute, with a seeded split of users.
public struct UserLabelTask: Sendable {
    /// The attribute the labels come from (e.g. `gender`).
    public let attribute: String
    /// Class names; class id k is `classes[k]`. Order: bucket order for numeric buckets, otherwise
    /// first appearance in user id order.
    public let classes: [String]
    /// The class of each user id, -1 for padding and users without a value.
    public let labels: [Int32]
    /// Users for training, validation and testing (ids with a label).
    public let train: [Int32]
    /// Validation users.
    public let valid: [Int32]
    /// Test users.
    public let test: [Int32]

    /// Builds the task from `dataset.userAttributes[attribute]`. With `bucketBoundaries` the values
    /// are numbers put into buckets `< b0`, `b0-b1`, ..., `>= bn` (e.g. ages [18, 25, 35, 45, 50, 56]).
    /// Users are split by a seeded permutation (stream "user-label-split").
    public static func make(from dataset: Dataset, attribute: String, bucketBoundaries: [Double]? = nil,
                            validFraction: Double = 0.1, testFraction: Double = 0.1,
                            seed: Seed) throws -> UserLabelTask {
        guard let table = dataset.userAttributes else {
            throw DataError.invalid("dataset '\(dataset.name)' has no user attributes; load a .user file (or u.user) to make a user label task")
        }
        guard let column = table.column(attribute) else {
            throw DataError.invalid("no user attribute '\(attribute)'; the dataset has \(table.names.joined(separator: ", "))")
        }
        var classes: [String] = []
        var labels = [Int32](repeating: -1, count: dataset.users.count)
        if let bounds = bucketBoundaries {
            guard !bounds.isEmpty, zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw DataError.invalid("bucketBoundaries must be increasing, got \(bounds)")
            }
            func show(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
            classes = ["<\(show(bounds[0]))"]
            for k in 1..<bounds.count { classes.append("\(show(bounds[k - 1]))-\(show(bounds[k]))") }
            classes.append(">=\(show(bounds[bounds.count - 1]))")
            for u in 1..<min(dataset.users.count, column.values.count) where !column.values[u].isEmpty {
                guard let x = Double(column.values[u]), x.isFinite else {
                    throw DataError.invalid("user '\(dataset.users.tokens[u])' has \(attribute) '\(column.values[u])'; expected a number to put into buckets")
                }
                labels[u] = Int32(bounds.firstIndex { x < $0 } ?? bounds.count)
            }
        } else {
            var vocabulary = Vocabulary()
            for u in 1..<min(dataset.users.count, column.values.count) where !column.values[u].isEmpty {
                labels[u] = vocabulary.intern(column.values[u]) - 1
            }
            classes = Array(vocabulary.tokens.dropFirst())
        }
        let labelled = (0..<labels.count).filter { labels[$0] >= 0 }.map { Int32($0) }
        guard classes.count >= 2, !labelled.isEmpty else {
            throw DataError.invalid("user attribute '\(attribute)' gives \(classes.count) class(es); a label task needs at least two")
        }
        let (tr, va, te) = try seededPartition(count: labelled.count, validFraction: validFraction,
                                               testFraction: testFraction, stream: seed.stream("user-label-split"))
        return UserLabelTask(attribute: attribute, classes: classes, labels: labels,
                             train: tr.map { labelled[$0] }, valid: va.map { labelled[$0] },
                             test: te.map { labelled[$0] })
    }
}

extension UserLabelTask {
    /// Rows for `users`, ready for a `Batcher`: the history is the user's last `maxLength` events in
    /// `dataset` and the target is the user's class id (an index into `classes`, not an item id).
    public func rows(for users: [Int32], in dataset: Dataset, maxLength: Int = 50) throws -> Rows {
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        var storage: [Int32] = [], starts: [Int] = [], ends: [Int] = []
        for u in users {
            let user = Int(u)
            guard user > 0, user < dataset.users.count, user < labels.count, labels[user] >= 0 else {
                throw DataError.invalid("user id \(u) has no \(attribute) label in this task")
            }
            starts.append(storage.count)
            storage.append(contentsOf: dataset.sequence(of: user).suffix(maxLength))
            ends.append(storage.count)
            storage.append(labels[user])
        }
        return Rows(unchecked: .prefix, storage: storage, users: users, starts: starts, ends: ends)
    }
}

/// Indices 0..<count permuted by `stream` and cut into train / valid / test (valid and test get
/// `round(fraction * count)`; the order inside each part is ascending so it reads naturally).
func seededPartition(count: Int, validFraction: Double, testFraction: Double,
                     stream: RandomStream) throws -> ([Int], [Int], [Int]) {
    guard validFraction >= 0, testFraction >= 0, validFraction + testFraction < 1 else {
        throw DataError.invalid("valid and test fractions must be non-negative with a sum below 1, got \(validFraction) and \(testFraction)")
    }
    var rng = stream
    let order = rng.permutation(count)
    let nValid = Int((validFraction * Double(count)).rounded()), nTest = Int((testFraction * Double(count)).rounded())
    let test = order[0..<nTest].sorted()
    let valid = order[nTest..<(nTest + nValid)].sorted()
    let train = order[(nTest + nValid)...].sorted()
    return (train, valid, test)
}

/// A transfer target as the trainer and evaluator see it: rows whose history is a source sequence
/// (item ids of the dataset a base model was trained on) and whose target is an id in the task's
/// own label space (target items, or classes), with train / valid / test parts.
public struct TransferTask: Sendable {
    /// Target items of another domain, or classes of a user attribute.
    public enum Kind: String, Sendable {
        case items, classes
    }
    /// A short name for tables ("gender", "movies → books").
    public let name: String
    /// What the targets are.
    public let kind: Kind
    /// Target labels by id; id 0 is padding ("") and never a target.
    public let labels: [String]
    /// The rows; `split.itemCount` is `labels.count` (targets 1..<labels.count).
    public let split: Split
    /// How often each target id is a training target (index 0 unused): the LambdaFM sampler's ranks.
    public let trainCounts: [Int]

    /// Number of real targets (items or classes).
    public var targetCount: Int { labels.count - 1 }

    /// A task from parts; `split.itemCount` must equal `labels.count`.
    public init(name: String, kind: Kind, labels: [String], split: Split) {
        precondition(split.itemCount == labels.count, "TransferTask: \(labels.count) labels for \(split.itemCount) target ids")
        self.name = name
        self.kind = kind
        self.labels = labels
        self.split = split
        var counts = [Int](repeating: 0, count: labels.count)
        for r in 0..<split.train.count { counts[Int(split.train.target(r))] += 1 }
        trainCounts = counts
    }
}

extension SourceTargetTask {
    /// The task with a seeded split of its examples (see `split(validFraction:testFraction:seed:)`);
    /// sources keep their most recent `maxLength` items.
    public func transferTask(name: String, maxLength: Int = 50, validFraction: Double = 0.1, testFraction: Double = 0.1,
                             seed: Seed) throws -> TransferTask {
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        let parts = try split(validFraction: validFraction, testFraction: testFraction, seed: seed)
        func rows(_ examples: [Int]) -> Rows {
            var storage: [Int32] = [], users: [Int32] = [], starts: [Int] = [], ends: [Int] = []
            for e in examples {
                starts.append(storage.count)
                storage.append(contentsOf: source(ofExample: e).suffix(maxLength))
                ends.append(storage.count)
                storage.append(exampleTargets[e])
                users.append(exampleRows[e] + 1)
            }
            return Rows(unchecked: .prefix, storage: storage, users: users, starts: starts, ends: ends)
        }
        let split = Split(protocolDescription: "\(name): \(count) (source, target) examples split \(parts.train.count)/\(parts.valid.count)/\(parts.test.count) at random (seeded), \(targetItems.count - 1) targets, sources of at most \(maxLength) items",
                          train: rows(parts.train), valid: rows(parts.valid), test: rows(parts.test),
                          itemCount: targetItems.count, maxLength: maxLength)
        return TransferTask(name: name, kind: .items, labels: targetItems.tokens.enumerated().map { $0.offset == 0 ? "" : $0.element }, split: split)
    }
}

extension UserLabelTask {
    /// The task over this task's user split; a row's history is the user's last `maxLength` events
    /// in `dataset` and its target is class id k + 1 for `classes[k]` (0 stays padding).
    public func transferTask(in dataset: Dataset, maxLength: Int = 50) throws -> TransferTask {
        func rows(_ users: [Int32]) throws -> Rows {
            let r = try self.rows(for: users, in: dataset, maxLength: maxLength)
            var storage = r.storage
            for i in 0..<r.count { storage[r.ends[i]] += 1 }
            return Rows(unchecked: .prefix, storage: storage, users: r.users, starts: r.starts, ends: r.ends)
        }
        let split = Split(protocolDescription: "\(attribute) of \(dataset.name): \(classes.count) classes, users split \(train.count)/\(valid.count)/\(test.count) at random (seeded), histories of at most \(maxLength) items",
                          train: try rows(train), valid: try rows(valid), test: try rows(test),
                          itemCount: classes.count + 1, maxLength: maxLength)
        return TransferTask(name: attribute, kind: .classes, labels: [""] + classes, split: split)
    }
}
