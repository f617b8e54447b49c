// One rule for naming items and users in the language, stated once here and in `help("naming")`:
//
// - A number names an item (or user) by its id in the data file: `50` is the item whose token is
//   "50", whatever its row in the model's tables. Data whose ids are not numbers (synthetic worlds'
//   "m12", UUIDs) have no such ids, so there a number is the position 1…N in the dataset's order.
// - A string is an exact token first ("50" = 50), then a title: exact, then ignoring case, a year in
//   parentheses and a leading or trailing article ("The Godfather" = "Godfather, The (1972)"), then
//   the one title containing the text. Several matches are an error that lists them with their ids.
// Every view that shows items or users names them with their ids, so what is shown can be typed back.

import Datasets
import Script

/// The naming rule, as `help("naming")` prints it.
let namingRule = """
    Naming items and users
      50 or "50"    the item (or user) whose id in the data file is 50; where ids
                    are not numbers (synthetic worlds, UUIDs), a number is the
                    position 1...N in the dataset instead
      "Star Wars"   a title: exact, then ignoring case, a year in parentheses and
                    a leading or trailing article ("The Godfather" = "Godfather,
                    The (1972)"), then the one title containing the text; when
                    several items match, the error lists them with their ids
    An id wins over a title. Item lists, recommendations and attention maps show
    each item's id in brackets ([50]) and name the user, so what is shown can be
    typed back.
    """

/// The words moved or dropped when titles are compared ("Godfather, The" = "The Godfather").
private let articles = ["the", "a", "an", "les", "le", "la", "l'", "il", "el", "der", "die", "das"]

/// A title's comparison key: lower case, without a trailing "(1972)" and without a leading or
/// trailing article.
func titleKey(_ title: String) -> String {
    var t = title.lowercased().trimmingSpaces()
    // A trailing year, as MovieLens titles carry it.
    if t.hasSuffix(")"), let open = t.lastIndex(of: "("),
       t[t.index(after: open)..<t.index(before: t.endIndex)].allSatisfy(\.isNumber) {
        t = String(t[..<open]).trimmingSpaces()
    }
    for a in articles {
        if t.hasSuffix(", " + a) { t = String(t.dropLast(a.count + 2)); break }
        if t.hasPrefix(a + " ") { t = String(t.dropFirst(a.count + 1)); break }
    }
    return t.trimmingSpaces()
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

extension DatasetObject {
    /// How an item is shown: its title (cut to `limit` characters) and id, `Star Wars (1977) [50]`,
    /// or its id alone when the data has no titles.
    func itemName(_ item: Int, limit: Int = 60) -> String {
        let token = dataset.items.token(item) ?? "?"
        if let text = dataset.itemText, item < text.count, !text[item].isEmpty { return "\(shorten(text[item], limit)) [\(token)]" }
        return token
    }

    /// How a user is shown: `user 196` (the id in the data file).
    func userName(_ user: Int) -> String { "user \(dataset.users.token(user) ?? "?")" }

    /// The entry of `vocabulary` a number names: the one whose id in the data is that number, or,
    /// when none of the data's ids is a number, the position 1…N. `noun` is "item" or "user".
    private func numbered(_ x: Double, in vocabulary: Vocabulary, _ noun: String, _ args: Arguments, _ parameter: String) throws -> Int {
        let d = dataset
        guard x == x.rounded(), abs(x) < 1e15 else { throw args.error(parameter, "a\(noun == "item" ? "n" : "") \(noun) id is a whole number, got \(formatNumber(x))") }
        if let id = vocabulary.id(of: String(Int(x))), id > 0 { return Int(id) }
        let count = vocabulary.count - 1
        if vocabulary.tokens.dropFirst().contains(where: { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) {
            throw args.error(parameter, "no \(noun) of \(d.name) has the id \(Int(x)) (numbers are the ids of the data file)")
        }
        guard x >= 1, x <= Double(count) else {
            throw args.error(parameter, "\(d.name)'s \(noun) ids are not numbers, so a number is a position from 1 to \(count); got \(Int(x))")
        }
        return Int(x)
    }

    /// The item a script named, by the naming rule; the error lists candidates.
    func resolveItem(_ value: Value, _ args: Arguments, _ parameter: String) throws -> Int {
        let d = dataset
        switch value {
        case .number(let x):
            return try numbered(x, in: d.items, "item", args, parameter)
        case .string(let text):
            if let id = d.items.id(of: text), id > 0 { return Int(id) }
            guard let titles = d.itemText else {
                throw args.error(parameter, "no item of \(d.name) has the id \"\(text)\" (it has no titles to search)")
            }
            func unique(_ matches: [Int], _ how: String) throws -> Int? {
                if matches.count == 1 { return matches[0] }
                guard matches.count > 1 else { return nil }
                let shown = matches.prefix(6).map { itemName($0) }.joined(separator: "; ")
                throw args.error(parameter, "\"\(text)\" \(how) \(matches.count) items: \(shown)\(matches.count > 6 ? "; …" : ""); name one by its id, e.g. \(d.items.token(matches[0]) ?? "?")")
            }
            let all = 1..<titles.count
            if let i = try unique(all.filter { titles[$0] == text }, "is the title of") { return i }
            let key = titleKey(text)
            let keys = titles.map(titleKey)
            if let i = try unique(all.filter { keys[$0] == key }, "is the title of") { return i }
            if let i = try unique(all.filter { !key.isEmpty && keys[$0].contains(key) }, "matches") { return i }
            let hint = didYouMean(key, among: Array(Set(all.map { keys[$0] }))).replacingOccurrences(of: "'", with: "\"")
            throw args.error(parameter, "no item of \(d.name) has the id or title \"\(text)\"\(hint)")
        default:
            throw args.error(parameter, "name an item by its id or title")
        }
    }

    /// The user a script named (an id in the data file, or a position when ids are not numbers).
    func resolveUser(_ value: Value, _ args: Arguments, _ parameter: String) throws -> Int {
        let d = dataset
        switch value {
        case .number(let x):
            return try numbered(x, in: d.users, "user", args, parameter)
        case .string(let token):
            guard let id = d.users.id(of: token), id > 0 else {
                throw args.error(parameter, "no user of \(d.name) has the id \"\(token)\"")
            }
            return Int(id)
        default:
            throw args.error(parameter, "name a user by their id")
        }
    }
}
