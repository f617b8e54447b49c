// The syntax tree of the SeqLab language.

/// An expression with its position (for error messages).
public struct Expression: Sendable {
    /// What the expression is.
    public indirect enum Kind: Sendable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case none
        case variable(String)
        case list([Expression])
        case record([(key: String, value: Expression)])
        case unary(Symbol, Expression)
        case not(Expression)
        case binary(Symbol, Expression, Expression)
        case logical(and: Bool, Expression, Expression)
        case call(Expression, [CallArgument])
        case member(Expression, String)
        case index(Expression, Expression)
    }

    /// What it is.
    public var kind: Kind
    /// Where it starts.
    public var location: SourceLocation
    /// Characters to underline in messages.
    public var length: Int
}

/// One argument of a call: positional, or labelled (`epochs: 3`).
public struct CallArgument: Sendable {
    /// The label, or nil for a positional argument.
    public var label: String?
    /// Where the label (or the value) starts.
    public var location: SourceLocation
    /// The value.
    public var value: Expression
}

/// A statement with the source lines it spans (notebooks attach recorded output after the last).
public struct Statement: Sendable {
    /// What the statement does.
    public indirect enum Kind: Sendable {
        case assign(String, Expression)
        case expression(Expression)
        case ifElse(Expression, [Statement], [Statement]?)
        case forIn(String, Expression, [Statement])
        case function(String, [String], [Statement])
        case `return`(Expression?)
    }

    /// What it does.
    public var kind: Kind
    /// Where it starts.
    public var location: SourceLocation
    /// Last source line of the statement.
    public var endLine: Int
    /// True when the statement ends in `;`: its value is not shown.
    public var silent: Bool
}
