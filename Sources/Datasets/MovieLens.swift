// GroupLens MovieLens files as downloaded from grouplens.org:
//   100K: u.data (user TAB item TAB rating TAB timestamp), u.item (id|title|release|video|url|19 genre
//         flags, ISO-8859-1), u.user (id|age|gender|occupation|zip)
//   1M:   ratings.dat (UserID::MovieID::Rating::Timestamp), movies.dat (MovieID::Title::Genres with
//         `|` between genres, ISO-8859-1), users.dat (UserID::Gender::Age::Occupation::Zip-code)
// Attribute names follow RecBole's ml-100k files (age, gender, occupation, zip_code; genre), so
// tasks written for one work on the other.

/// Reads raw GroupLens MovieLens directories (100K or 1M layout).
public enum MovieLens {
    /// The 19 genre names of ML-100K's `u.genre`, in flag order.
    public static let genres100K = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
        "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
        "Thriller", "War", "Western",
    ]

    /// Loads `directory`: `u.data` (+ `u.item`, `u.user`) or `ratings.dat` (+ `movies.dat`, `users.dat`).
    public static func load(directory: String, name: String? = nil) throws -> Dataset {
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        if fileExists(dir + "u.data") {
            return try load100K(dir, name: name ?? lastPathComponent(directory))
        }
        if fileExists(dir + "ratings.dat") {
            return try load1M(dir, name: name ?? lastPathComponent(directory))
        }
        throw DataError(file: directory, line: nil, "no u.data (MovieLens 100K) or ratings.dat (MovieLens 1M) here; expected an unpacked GroupLens archive")
    }

    static func load100K(_ dir: String, name: String) throws -> Dataset {
        var builder = DatasetBuilder(expectedEvents: 100_000)
        var mapping = ColumnMapping(user: .index(0), item: .index(1), time: .index(3), delimiter: "\t", hasHeader: false)
        mapping.timeIsUnixSeconds = true
        try DelimitedFile.read(dir + "u.data", mapping: mapping, encoding: .utf8, into: &builder)
        var items: [(Int32, [String])] = [], users: [(Int32, [String])] = []
        if fileExists(dir + "u.item") {
            for (line, f) in try table(dir + "u.item", separator: "|", fields: 24, encoding: .latin1) {
                for k in 5..<24 where f[k] != "0" && f[k] != "1" {
                    throw DataError(file: dir + "u.item", line: line, "expected a genre flag 0 or 1 in field \(k + 1), found '\(f[k])'")
                }
                let genres = (5..<24).filter { f[$0] == "1" }.map { genres100K[$0 - 5] }
                items.append((builder.declare(item: f[0]), [f[1], f[2], genres.joined(separator: " ")]))
            }
        }
        if fileExists(dir + "u.user") {
            for (line, f) in try table(dir + "u.user", separator: "|", fields: 5, encoding: .utf8) {
                guard Int(f[1]) != nil else {
                    throw DataError(file: dir + "u.user", line: line, "expected an integer age in field 2, found '\(f[1])'")
                }
                users.append((builder.declare(user: f[0]), [f[1], f[2], f[3], f[4]]))
            }
        }
        var dataset = builder.build(name: name)
        attach(&dataset, items: items, users: users,
               itemColumns: [("release_date", .token), ("genre", .tokenSequence)],
               userColumns: [("age", .token), ("gender", .token), ("occupation", .token), ("zip_code", .token)])
        return dataset
    }

    static func load1M(_ dir: String, name: String) throws -> Dataset {
        var builder = DatasetBuilder(expectedEvents: 1_000_000)
        var mapping = ColumnMapping(user: .index(0), item: .index(1), time: .index(3), delimiter: "::", hasHeader: false)
        mapping.timeIsUnixSeconds = true
        try DelimitedFile.read(dir + "ratings.dat", mapping: mapping, encoding: .utf8, into: &builder)
        var items: [(Int32, [String])] = [], users: [(Int32, [String])] = []
        if fileExists(dir + "movies.dat") {
            for (_, f) in try table(dir + "movies.dat", separator: "::", fields: 3, encoding: .latin1) {
                let genres = f[2].split(separator: "|").joined(separator: " ")
                items.append((builder.declare(item: f[0]), [f[1], genres]))
            }
        }
        if fileExists(dir + "users.dat") {
            for (_, f) in try table(dir + "users.dat", separator: "::", fields: 5, encoding: .utf8) {
                users.append((builder.declare(user: f[0]), [f[2], f[1], f[3], f[4]]))
            }
        }
        var dataset = builder.build(name: name)
        attach(&dataset, items: items, users: users, itemColumns: [("genre", .tokenSequence)],
               userColumns: [("age", .token), ("gender", .token), ("occupation", .token), ("zip_code", .token)])
        return dataset
    }

    /// Item rows are [title, other columns...]: the title becomes the item text.
    static func attach(_ dataset: inout Dataset, items: [(Int32, [String])], users: [(Int32, [String])],
                       itemColumns: [(String, FieldType)], userColumns: [(String, FieldType)]) {
        if !items.isEmpty {
            var text = [String](repeating: "", count: dataset.items.count)
            var columns = itemColumns.map { AttributeTable.Column(name: $0.0, type: $0.1, values: [String](repeating: "", count: dataset.items.count)) }
            for (id, values) in items {
                text[Int(id)] = values[0]
                for k in 0..<columns.count { columns[k].values[Int(id)] = values[k + 1] }
            }
            dataset.itemText = text
            dataset.itemAttributes = AttributeTable(columns: columns)
        }
        if !users.isEmpty {
            var columns = userColumns.map { AttributeTable.Column(name: $0.0, type: $0.1, values: [String](repeating: "", count: dataset.users.count)) }
            for (id, values) in users {
                for k in 0..<columns.count { columns[k].values[Int(id)] = values[k] }
            }
            dataset.userAttributes = AttributeTable(columns: columns)
        }
    }

    /// A small separator-delimited file with a fixed field count, as (line, fields); the key (field 1)
    /// must not be empty.
    static func table(_ path: String, separator: String, fields count: Int,
                      encoding: TextEncoding) throws -> [(Int, [String])] {
        let file = try TextFile.read(path, encoding: encoding)
        _ = try firstLine(file, expecting: "\(count) '\(separator)'-separated fields per line")
        var out: [(Int, [String])] = []
        try file.bytes.withUnsafeBufferPointer { b in
            var ranges: [Range<Int>] = []
            try file.forEachLine { number, range in
                splitFields(b, range, separator: Array(separator.utf8), into: &ranges)
                guard ranges.count == count else {
                    throw DataError(file: path, line: number, "expected \(count) '\(separator)'-separated fields, found \(ranges.count)")
                }
                guard !ranges[0].isEmpty else { throw DataError(file: path, line: number, "empty id in field 1; expected a token") }
                out.append((number, ranges.map { file.string($0) }))
            }
        }
        return out
    }
}
