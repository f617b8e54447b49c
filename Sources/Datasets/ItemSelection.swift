// Item-disjoint sub-datasets from an item attribute: the genre split that makes two domains out of
// one catalogue (ml-100k's "Action" films against the rest) for text-based transfer, where the point
// is that the target's items were never seen in pretraining.

extension Dataset {
    /// Keeps the events of items whose space-separated `column` value shares a word with `values`
    /// (or, with `exclude`, shares none), then drops users left with fewer than `minLength` events
    /// and items left with none.
    public func selectingItems(column: String, values: [String], exclude: Bool = false,
                               minLength: Int = 1) throws(DataError) -> Dataset {
        guard let table = itemAttributes, let c = table.column(column) else {
            let names = itemAttributes?.names ?? []
            throw DataError.invalid(names.isEmpty
                ? "\(name) has no item attributes; items can only be selected by a column of an item file (.item)"
                : "no item column '\(column)'; the item columns are \(names.joined(separator: ", "))")
        }
        guard !values.isEmpty else { throw DataError.invalid("give at least one value of '\(column)' to select items by") }
        let wanted = Set(values)
        var chosen = [Bool](repeating: false, count: items.count)
        for i in 1..<items.count {
            let words = c.values[i].split(separator: " ")
            chosen[i] = words.contains { wanted.contains(String($0)) } != exclude
        }
        var keepEvent = eventItems.map { chosen[Int($0)] }
        for u in 1..<users.count {
            let r = events(of: u)
            if r.reduce(0, { $0 + (keepEvent[$1] ? 1 : 0) }) < minLength { for e in r { keepEvent[e] = false } }
        }
        guard keepEvent.contains(true) else {
            throw DataError.invalid("no events are left: no item's '\(column)' \(exclude ? "avoids" : "contains") \(values.joined(separator: ", ")) "
                            + "with users of at least \(minLength) such events")
        }
        var result = keepingEvents(keepEvent, dropEmptyUsers: true, dropEmptyItems: true)
        result.name = name + (exclude ? "-without-" : "-") + values.joined(separator: "+")
        return result
    }

    /// Each item's text made of the given item columns joined by spaces (the UniSRec "title year
    /// genres" text), or `itemText` when `columns` is nil; "" for padding (index 0).
    public func itemTexts(columns: [String]? = nil) throws(DataError) -> [String] {
        guard let columns else {
            guard let itemText else {
                throw DataError.invalid("\(name) has no item text; load an item file with a title or text column, or name columns")
            }
            return itemText
        }
        guard let table = itemAttributes else { throw DataError.invalid("\(name) has no item attributes to make text from") }
        let picked = try columns.map { n throws(DataError) -> AttributeTable.Column in
            guard let c = table.column(n) else {
                throw DataError.invalid("no item column '\(n)'; the item columns are \(table.names.joined(separator: ", "))")
            }
            return c
        }
        return (0..<items.count).map { i in
            i == 0 ? "" : picked.map { $0.values[i] }.filter { !$0.isEmpty }.joined(separator: " ")
        }
    }
}
