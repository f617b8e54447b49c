// The lexer: source text to tokens. Newlines are tokens (they end statements); the parser skips
// them where an expression is obviously unfinished (inside brackets, after a comma or operator).
// `#` starts a comment to the end of the line, which also covers notebooks' `#> ` output lines.

/// Turns source text into tokens, collecting errors instead of stopping at the first.
public struct Lexer {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Errors found (unterminated strings, stray characters); lexing continues after each.
    public private(set) var errors: [ScriptError] = []
    /// The line of the last unterminated string (0: none yet).
    private var lastUnterminatedLine = 0
    /// Lines holding a lexical mistake, including the continuation of a string broken across lines:
    /// the parser's complaints there are consequences, not new mistakes.
    public var linesWithMistakes: Set<Int> { Set(errors.map(\.location.line)).union(continuationLines) }
    private var continuationLines: Set<Int> = []

    /// A lexer over `source`.
    public init(_ source: String) {
        // "\r\n" is one Character in Swift; files written on Windows must still break lines. Mapped
        // per Character rather than with Foundation's replacingOccurrences, which bridges to NSString
        // and was a tenth of the lexer's time.
        characters = source.map { $0 == "\r\n" ? "\n" : $0 }
    }

    /// All tokens, ending with `.end`.
    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }
    private func peek(_ offset: Int = 1) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance() {
        if characters[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private mutating func next() -> Token {
        // A loop, not recursion, past unexpected characters: a binary file read as a script is a long
        // run of them, and must give errors rather than exhaust the stack.
        while true {
            while let c = current {
                if c == " " || c == "\t" || c == "\r" { advance(); continue }
                if c == "#" { while let d = current, d != "\n" { advance() }; continue }
                break
            }
            let start = SourceLocation(line: line, column: column)
            guard let c = current else { return Token(kind: .end, location: start, length: 0) }
            if c == "\n" { advance(); return Token(kind: .newline, location: start, length: 1) }
            if c.isNumber || (c == "." && (peek()?.isNumber ?? false)) { return number(start) }
            if c == "\"" { return string(start) }
            if c.isLetter || c == "_" {
                var name = ""
                while let d = current, d.isLetter || d.isNumber || d == "_" { name.append(d); advance() }
                if let k = Keyword(rawValue: name) { return Token(kind: .keyword(k), location: start, length: name.count) }
                return Token(kind: .identifier(name), location: start, length: name.count)
            }
            if let n = peek(), let two = Symbol(rawValue: String([c, n])) {
                advance(); advance()
                return Token(kind: .symbol(two), location: start, length: 2)
            }
            if let one = Symbol(rawValue: String(c)) {
                advance()
                return Token(kind: .symbol(one), location: start, length: 1)
            }
            if c == "'" { return singleQuoted(start) }
            // `&&` and `||` are one mistake: one message for the pair.
            if c == "&" || c == "|", peek() == c {
                advance(); advance()
                errors.append(ScriptError("unexpected '\(c)\(c)'; use '\(c == "&" ? "and" : "or")'", at: start, length: 2))
                continue
            }
            advance()
            let hint = (c == "&" || c == "|") ? "; use 'and' / 'or'" : c == "!" ? "; use 'not'" : ""
            errors.append(ScriptError("unexpected character '\(c)'\(hint)", at: start))
        }
    }

    private mutating func number(_ start: SourceLocation) -> Token {
        var text = ""
        while let d = current, d.isNumber || d == "_" { if d != "_" { text.append(d) }; advance() }
        if current == ".", let n = peek(), n.isNumber {
            text.append("."); advance()
            while let d = current, d.isNumber { text.append(d); advance() }
        }
        if let e = current, e == "e" || e == "E",
           let n = peek(), n.isNumber || ((n == "-" || n == "+") && (peek(2)?.isNumber ?? false)) {
            text.append("e"); advance()
            if let s = current, s == "-" || s == "+" { text.append(s); advance() }
            while let d = current, d.isNumber { text.append(d); advance() }
        }
        if text.hasPrefix(".") { text = "0" + text }
        let length = column - start.column
        guard let value = Double(text), value.isFinite else {
            errors.append(ScriptError("number '\(text)' is out of range", at: start, length: length))
            return Token(kind: .number(0), location: start, length: length)
        }
        return Token(kind: .number(value), location: start, length: length)
    }

    /// 'text': one error (strings use double quotes), read as the string it was meant to be.
    private mutating func singleQuoted(_ start: SourceLocation) -> Token {
        advance()
        var value = ""
        while let c = current, c != "'", c != "\n" { value.append(c); advance() }
        if current == "'" { advance() }
        errors.append(ScriptError("strings use double quotes: write \"\(value)\"", at: start, length: column - start.column))
        return Token(kind: .string(value), location: start, length: column - start.column)
    }

    private mutating func string(_ start: SourceLocation) -> Token {
        advance()   // opening quote
        var value = ""
        while let c = current {
            if c == "\"" {
                advance()
                return Token(kind: .string(value), location: start, length: column - start.column)
            }
            if c == "\n" { break }
            if c == "\\" {
                advance()
                guard let e = current, e != "\n" else { break }
                switch e {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                default:
                    errors.append(ScriptError("unknown escape '\\\(e)' in string; use \\n, \\t, \\\" or \\\\",
                                              at: SourceLocation(line: line, column: column - 1), length: 2))
                }
                advance()
                continue
            }
            value.append(c)
            advance()
        }
        // A string broken across lines leaves its closing quote on a later line, where it opens another
        // unterminated string: that is the same mistake, so it gets no second message.
        if lastUnterminatedLine != start.line - 1 || lastUnterminatedLine == 0 {
            errors.append(ScriptError("unterminated string; add a closing '\"' on the same line",
                                      at: start, length: column - start.column))
        } else {
            continuationLines.insert(start.line)
        }
        lastUnterminatedLine = start.line
        return Token(kind: .string(value), location: start, length: column - start.column)
    }
}
