// The parser: tokens to statements, by recursive descent.
//
// Precedence, loosest first: or, and, not, comparison, + −, * / %, unary −, postfix (call, member,
// index), primary. On a syntax error the parser records it and skips to the end of the statement
// (panic mode, as clox), so one mistake gives one message and the rest of the file is still checked.

/// Parses SeqLab source into statements, collecting every syntax error.
public struct Parser {
    private var tokens: [Token]
    private var position = 0
    /// Open brackets, parentheses and record braces at the current point (for error recovery).
    private var nesting = 0
    private var errors: [ScriptError] = []
    /// Depth of nested expressions; bounded so hostile input cannot overflow the stack.
    private var depth = 0
    private static let maximumDepth = 200
    /// Operands in one chain (`a + b + ...`): evaluation recurses once per operator.
    private static let maximumChain = 5_000

    /// Errors reported at most, as compilers cap theirs: a binary file read as a script would otherwise
    /// give one per byte, and every one is printed with its source line.
    static let maximumErrors = 50

    /// Parses `source`; returns the statements that parsed and the errors (lexical and syntactic): all
    /// of them up to `maximumErrors`, then one saying how many there were.
    public static func parse(_ source: String) -> (statements: [Statement], errors: [ScriptError]) {
        var lexer = Lexer(source)
        let tokens = lexer.tokenize()
        var parser = Parser(tokens: tokens)
        let statements = parser.statements(inBlock: false)
        // One message per mistake: a line the lexer already complained about gets no parser error,
        // which would only be a consequence of the same mistake.
        let lexed = lexer.linesWithMistakes
        let all = (lexer.errors + parser.errors.filter { !lexed.contains($0.location.line) }).sorted { $0.location < $1.location }
        guard all.count > maximumErrors else { return (statements, all) }
        let stop = ScriptError("\(all.count) errors; stopped listing them after \(maximumErrors): fix these first (is this a SeqLab script?)",
                               at: all[maximumErrors].location)
        return (statements, Array(all.prefix(maximumErrors)) + [stop])
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    // MARK: - Statements

    private mutating func statements(inBlock: Bool) -> [Statement] {
        var result: [Statement] = []
        while true {
            skipSeparators()
            if case .end = peek.kind { break }
            if inBlock, isSymbol(.rightBrace) { break }
            if !inBlock, isSymbol(.rightBrace) {
                errors.append(ScriptError("unexpected '}' with no open block", at: peek.location))
                advance()
                continue
            }
            do {
                result.append(try statement())
            } catch let error as ScriptError {
                errors.append(error)
                synchronize(inBlock: inBlock)
            } catch {
                synchronize(inBlock: inBlock)
            }
        }
        return result
    }

    private mutating func statement() throws -> Statement {
        let start = peek.location
        var kind: Statement.Kind
        switch peek.kind {
        case .keyword(.fn):
            advance()
            let name = try identifier("a function name after 'fn'")
            try expect(.leftParen, "'(' after the function name")
            var parameters: [String] = []
            skipNewlines()
            if !isSymbol(.rightParen) {
                repeat {
                    skipNewlines()
                    let p = try identifier("a parameter name")
                    if parameters.contains(p) { throw ScriptError("duplicate parameter '\(p)'", at: previous.location, length: p.count) }
                    parameters.append(p)
                    skipNewlines()
                } while match(.comma)
            }
            try expect(.rightParen, "')' after the parameters")
            kind = .function(name, parameters, try block("the function body"))
        case .keyword(.if):
            kind = try ifStatement()
        case .keyword(.for):
            advance()
            let name = try identifier("a loop variable after 'for'")
            guard case .keyword(.in) = peek.kind else { throw error("expected 'in' after the loop variable") }
            advance()
            let sequence = try expression()
            kind = .forIn(name, sequence, try block("the loop body"))
        case .keyword(.return):
            advance()
            if case .newline = peek.kind { kind = .return(nil) } else if case .end = peek.kind { kind = .return(nil) }
            else if isSymbol(.rightBrace) || isSymbol(.semicolon) { kind = .return(nil) }
            else { kind = .return(try expression()) }
        case .identifier(let name) where tokens[position + 1].kind == .symbol(.assign):
            advance(); advance()
            skipNewlines()
            kind = .assign(name, try expression())
        case .keyword(let k) where tokens[position + 1].kind == .symbol(.assign):
            // `none = 3`, `true = x`: the literal keywords parse as expressions, so say why instead.
            throw ScriptError("'\(k.rawValue)' is a keyword and cannot be assigned to; choose another name", at: peek.location, length: peek.length)
        default:
            let e = try expression()
            if isSymbol(.assign) {
                throw ScriptError("cannot assign to this expression; assign to a plain name (x = ...)", at: e.location, length: e.length)
            }
            kind = .expression(e)
        }
        let endLine = previous.location.line
        var silent = false
        if isSymbol(.semicolon) {
            silent = true
            advance()
        } else if case .newline = peek.kind {
        } else if case .end = peek.kind {
        } else if !isSymbol(.rightBrace) {
            throw error("expected the end of the statement (a new line or ';') before \(peek.text)")
        }
        return Statement(kind: kind, location: start, endLine: endLine, silent: silent)
    }

    private mutating func ifStatement() throws -> Statement.Kind {
        advance()   // 'if'
        let condition = try expression()
        let then = try block("the 'if' body")
        // 'else' may follow the closing brace on the same line or the next.
        let save = position
        skipNewlines()
        guard case .keyword(.else) = peek.kind else {
            position = save
            return .ifElse(condition, then, nil)
        }
        advance()
        if case .keyword(.if) = peek.kind {
            let start = peek.location
            let nested = try ifStatement()
            return .ifElse(condition, then, [Statement(kind: nested, location: start, endLine: previous.location.line, silent: false)])
        }
        return .ifElse(condition, then, try block("the 'else' body"))
    }

    private mutating func block(_ what: String) throws -> [Statement] {
        guard isSymbol(.leftBrace) else { throw error("expected '{' to start \(what)") }
        guard depth < Self.maximumDepth else {
            throw error("blocks nested deeper than \(Self.maximumDepth) levels; move the inner part into a function")
        }
        depth += 1
        defer { depth -= 1 }
        let open = peek.location
        advance()
        let saved = nesting
        nesting = 0
        let body = statements(inBlock: true)
        nesting = saved
        guard isSymbol(.rightBrace) else {
            throw ScriptError("missing '}' to close the block opened here", at: open)
        }
        advance()
        return body
    }

    // MARK: - Expressions

    private mutating func expression() throws -> Expression {
        try nested { try $0.or() }
    }

    /// Counts one more operator in a chain, refusing chains longer than `maximumChain`.
    private func checkChain(_ chain: inout Int) throws {
        chain += 1
        guard chain < Self.maximumChain else {
            throw error("more than \(Self.maximumChain) operators in one expression; use sum() or a loop")
        }
    }

    /// Runs a recursive parse step, refusing nesting deeper than `maximumDepth`.
    private mutating func nested(_ body: (inout Parser) throws -> Expression) throws -> Expression {
        guard depth < Self.maximumDepth else {
            throw error("expressions nested deeper than \(Self.maximumDepth) levels; split the expression into steps")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func or() throws -> Expression {
        var left = try and()
        var chain = 0
        while case .keyword(.or) = peek.kind {
            try checkChain(&chain)
            advance(); skipNewlines()
            let right = try and()
            left = Expression(kind: .logical(and: false, left, right), location: left.location, length: left.length)
        }
        return left
    }

    private mutating func and() throws -> Expression {
        var left = try not()
        var chain = 0
        while case .keyword(.and) = peek.kind {
            try checkChain(&chain)
            advance(); skipNewlines()
            let right = try not()
            left = Expression(kind: .logical(and: true, left, right), location: left.location, length: left.length)
        }
        return left
    }

    private mutating func not() throws -> Expression {
        if case .keyword(.not) = peek.kind {
            let start = peek.location
            advance()
            let operand = try nested { try $0.not() }
            return Expression(kind: .not(operand), location: start, length: 3)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Expression {
        var left = try additive()
        var chain = 0
        while case .symbol(let s) = peek.kind, [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual].contains(s) {
            try checkChain(&chain)
            let op = peek
            advance(); skipNewlines()
            let right = try additive()
            left = Expression(kind: .binary(s, left, right), location: op.location, length: op.length)
        }
        return left
    }

    private mutating func additive() throws -> Expression {
        var left = try multiplicative()
        var chain = 0
        while case .symbol(let s) = peek.kind, s == .plus || s == .minus {
            try checkChain(&chain)
            let op = peek
            advance(); skipNewlines()
            let right = try multiplicative()
            left = Expression(kind: .binary(s, left, right), location: op.location, length: 1)
        }
        return left
    }

    private mutating func multiplicative() throws -> Expression {
        var left = try unary()
        var chain = 0
        while case .symbol(let s) = peek.kind, s == .star || s == .slash || s == .percent {
            try checkChain(&chain)
            let op = peek
            advance(); skipNewlines()
            let right = try unary()
            left = Expression(kind: .binary(s, left, right), location: op.location, length: 1)
        }
        return left
    }

    private mutating func unary() throws -> Expression {
        if isSymbol(.minus) {
            let start = peek.location
            advance()
            let operand = try nested { try $0.unary() }
            return Expression(kind: .unary(.minus, operand), location: start, length: 1)
        }
        return try postfix()
    }

    private mutating func postfix() throws -> Expression {
        var e = try primary()
        while true {
            if isSymbol(.leftParen) {
                advance()
                nesting += 1
                e = Expression(kind: .call(e, try arguments()), location: e.location, length: e.length)
            } else if isSymbol(.dot) {
                advance()
                let nameToken = peek
                let name = try identifier("a member name after '.'")
                e = Expression(kind: .member(e, name), location: nameToken.location, length: name.count)
            } else if isSymbol(.leftBracket) {
                let open = peek.location
                advance()
                nesting += 1
                skipNewlines()
                let index = try expression()
                skipNewlines()
                try expect(.rightBracket, "']' after the index")
                nesting -= 1
                e = Expression(kind: .index(e, index), location: open, length: 1)
            } else {
                return e
            }
        }
    }

    /// Arguments after an opening '(' up to and including the ')'.
    private mutating func arguments() throws -> [CallArgument] {
        var result: [CallArgument] = []
        var seenLabel = false
        skipNewlines()
        if !isSymbol(.rightParen) {
            repeat {
                skipNewlines()
                if isSymbol(.rightParen) { break }   // trailing comma
                let start = peek.location
                var label: String?
                if case .identifier(let name) = peek.kind {
                    if tokens[position + 1].kind == .symbol(.colon) {
                        label = name
                        advance(); advance()
                        skipNewlines()
                    } else if tokens[position + 1].kind == .symbol(.assign) {
                        throw ScriptError("labelled arguments use ':', not '=': write '\(name): ...'", at: tokens[position + 1].location)
                    }
                }
                if label == nil && seenLabel {
                    throw ScriptError("positional argument after a labelled one; put positional arguments first", at: start)
                }
                if let label, result.contains(where: { $0.label == label }) {
                    throw ScriptError("argument '\(label)' given twice", at: start, length: label.count)
                }
                seenLabel = seenLabel || label != nil
                result.append(CallArgument(label: label, location: start, value: try expression()))
                skipNewlines()
            } while match(.comma)
        }
        try expect(.rightParen, "')' to close the argument list")
        nesting -= 1
        return result
    }

    private mutating func primary() throws -> Expression {
        let t = peek
        switch t.kind {
        case .number(let v): advance(); return Expression(kind: .number(v), location: t.location, length: t.length)
        case .string(let s): advance(); return Expression(kind: .string(s), location: t.location, length: t.length)
        case .keyword(.true): advance(); return Expression(kind: .bool(true), location: t.location, length: 4)
        case .keyword(.false): advance(); return Expression(kind: .bool(false), location: t.location, length: 5)
        case .keyword(.none): advance(); return Expression(kind: .none, location: t.location, length: 4)
        case .identifier(let name): advance(); return Expression(kind: .variable(name), location: t.location, length: name.count)
        case .symbol(.leftParen):
            advance()
            nesting += 1
            skipNewlines()
            let e = try expression()
            skipNewlines()
            try expect(.rightParen, "')' to close the parenthesis")
            nesting -= 1
            return e
        case .symbol(.leftBracket):
            advance()
            nesting += 1
            var items: [Expression] = []
            skipNewlines()
            if !isSymbol(.rightBracket) {
                repeat {
                    skipNewlines()
                    if isSymbol(.rightBracket) { break }
                    items.append(try expression())
                    skipNewlines()
                } while match(.comma)
            }
            try expect(.rightBracket, "']' to close the list")
            nesting -= 1
            return Expression(kind: .list(items), location: t.location, length: 1)
        case .symbol(.leftBrace):
            advance()
            nesting += 1
            var fields: [(key: String, value: Expression)] = []
            skipNewlines()
            if !isSymbol(.rightBrace) {
                repeat {
                    skipNewlines()
                    if isSymbol(.rightBrace) { break }
                    let keyToken = peek
                    let key: String
                    switch keyToken.kind {
                    case .identifier(let k): key = k
                    case .string(let k): key = k
                    default: throw error("expected a field name in the record")
                    }
                    advance()
                    if fields.contains(where: { $0.key == key }) {
                        throw ScriptError("field '\(key)' given twice", at: keyToken.location, length: keyToken.length)
                    }
                    try expect(.colon, "':' after the field name")
                    skipNewlines()
                    fields.append((key, try expression()))
                    skipNewlines()
                } while match(.comma)
            }
            try expect(.rightBrace, "'}' to close the record")
            nesting -= 1
            return Expression(kind: .record(fields), location: t.location, length: 1)
        case .keyword(let k):
            throw ScriptError("'\(k.rawValue)' is a keyword and cannot start an expression", at: t.location, length: t.length)
        case .newline, .end:
            throw error("expected an expression before \(t.text)")
        case .symbol(let s):
            throw ScriptError("expected an expression, found '\(s.rawValue)'", at: t.location, length: t.length)
        }
    }

    // MARK: - Tokens

    private var peek: Token { tokens[position] }
    private var previous: Token { tokens[max(0, position - 1)] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isSymbol(_ s: Symbol) -> Bool { peek.kind == .symbol(s) }

    private mutating func match(_ s: Symbol) -> Bool {
        guard isSymbol(s) else { return false }
        advance()
        return true
    }

    private mutating func expect(_ s: Symbol, _ what: String) throws {
        guard match(s) else { throw error("expected \(what), found \(peek.text)") }
    }

    private mutating func identifier(_ what: String) throws -> String {
        guard case .identifier(let name) = peek.kind else {
            if case .keyword(let k) = peek.kind {
                throw ScriptError("expected \(what); '\(k.rawValue)' is a keyword", at: peek.location, length: peek.length)
            }
            throw error("expected \(what), found \(peek.text)")
        }
        advance()
        return name
    }

    private mutating func skipNewlines() { while case .newline = peek.kind { advance() } }

    private mutating func skipSeparators() {
        while true {
            if case .newline = peek.kind { advance(); continue }
            if isSymbol(.semicolon) { advance(); continue }
            return
        }
    }

    /// True when the token at `i` begins a line with `name =`, `fn`, `if` or `for` at column 1.
    private func startsStatement(_ i: Int) -> Bool {
        guard i + 1 < tokens.count, tokens[i].location.column == 1 else { return false }
        switch tokens[i].kind {
        case .keyword(.fn), .keyword(.if), .keyword(.for): return true
        case .identifier: return tokens[i + 1].kind == .symbol(.assign)
        default: return false
        }
    }

    private func error(_ message: String) -> ScriptError {
        ScriptError(message, at: peek.location, length: max(1, peek.length))
    }

    /// Skips to the end of the broken statement: the next line break outside brackets (or the
    /// closing brace of the enclosing block).
    private mutating func synchronize(inBlock: Bool) {
        while true {
            switch peek.kind {
            case .end: nesting = 0; return
            case .newline where nesting <= 0: nesting = 0; advance(); return
            case .newline where startsStatement(position + 1):
                // An unclosed bracket: resume at a line that plainly starts a new statement.
                nesting = 0; advance(); return
            case .symbol(.leftParen), .symbol(.leftBracket): nesting += 1
            case .symbol(.rightParen), .symbol(.rightBracket): nesting = max(0, nesting - 1)
            case .symbol(.leftBrace): nesting += 1
            case .symbol(.rightBrace):
                if nesting <= 0 { nesting = 0; if inBlock { return } } else { nesting -= 1 }
            default: break
            }
            advance()
        }
    }
}
