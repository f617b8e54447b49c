// Column-width helpers for terminal layout. Widths count Characters, which is right for the
// single-width text plots use (Latin labels, box drawing, Braille, blocks).

/// `text` cut to at most `width` characters, ending in "…" when it was cut.
func shortened(_ text: String, to width: Int) -> String {
    guard width > 0 else { return "" }
    if text.count <= width { return text }
    return String(text.prefix(width - 1)) + "…"
}

/// `text` padded with spaces on the left to `width` characters.
func padLeft(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `text` padded with spaces on the right to `width` characters.
func padRight(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// `text` without trailing spaces (golden text and terminals do not need them).
func trimmedRight(_ text: String) -> String {
    var t = Substring(text)
    while t.last == " " { t.removeLast() }
    return String(t)
}
