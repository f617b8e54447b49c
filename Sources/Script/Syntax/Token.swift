// Tokens of the SeqLab language.

/// The kinds of token.
public enum TokenKind: Equatable, Sendable {
    case number(Double)
    case string(String)
    case identifier(String)
    case keyword(Keyword)
    case symbol(Symbol)
    case newline
    case end
}

/// Reserved words.
public enum Keyword: String, Sendable, CaseIterable {
    case `if`, `else`, `for`, `in`, `fn`, `return`, `true`, `false`, `none`, `and`, `or`, `not`
}

/// Punctuation and operators.
public enum Symbol: String, Sendable, CaseIterable {
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
    case leftBrace = "{", rightBrace = "}", comma = ",", colon = ":", dot = ".", semicolon = ";"
    case assign = "=", equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
    case greaterEqual = ">=", plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
}

/// A token with its position and source length.
public struct Token: Sendable, Equatable {
    /// What it is.
    public var kind: TokenKind
    /// Where it starts.
    public var location: SourceLocation
    /// Length in characters.
    public var length: Int

    /// How the token reads in messages.
    public var text: String {
        switch kind {
        case .number(let v): return formatNumber(v)
        case .string(let s): return "\"\(s)\""
        case .identifier(let s): return s
        case .keyword(let k): return k.rawValue
        case .symbol(let s): return s.rawValue
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }
}
