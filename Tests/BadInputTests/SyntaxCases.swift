// Scripts with one syntax error each: lexical mistakes, unbalanced brackets, misplaced keywords,
// malformed calls and records. One mistake must give one message at its line and column, and
// nothing of the entry runs.

private func syntax(_ name: String, _ source: String, _ expected: String) -> BadInput {
    BadInput("syntax", name, source, expect: expected)
}

let syntaxCases: [BadInput] = [
    syntax("unterminated string", "x = \"abc", "1:5: unterminated string; add a closing '\"' on the same line"),
    syntax("string across lines", "x = \"abc\ndef\"", "1:5: unterminated string"),
    syntax("single-quoted string", "x = 'abc'", "1:5: strings use double quotes: write \"abc\""),
    syntax("unknown escape", "x = \"a\\qb\"", "1:7: unknown escape '\\q' in string; use \\n, \\t, \\\" or \\\\"),
    syntax("stray character", "x = 3 @ 4", "1:7: unexpected character '@'"),
    syntax("C-style and", "x = true && false", "1:10: unexpected '&&'; use 'and'"),
    syntax("C-style not", "x = !true", "1:5: unexpected character '!'; use 'not'"),
    syntax("number out of range", "x = 1e999", "1:5: number '1e999' is out of range"),
    syntax("missing closing parenthesis", "x = len([1, 2]", "1:15: expected ')' to close the argument list, found end of input"),
    syntax("missing closing bracket", "x = [1, 2, 3", "1:13: expected ']' to close the list, found end of input"),
    syntax("extra closing parenthesis", "x = (1 + 2))", "1:12: expected the end of the statement (a new line or ';') before )"),
    syntax("missing closing brace", "if true {\n  x = 1\n", "1:9: missing '}' to close the block opened here"),
    syntax("stray closing brace", "x = 1\n}", "2:1: unexpected '}' with no open block"),
    syntax("assignment without value", "x = ", "1:5: expected an expression"),
    syntax("operator without right operand", "x = 1 +", "1:8: expected an expression"),
    syntax("assignment to a literal", "3 = x", "1:1: cannot assign to this expression; assign to a plain name (x = ...)"),
    syntax("assignment to a keyword", "none = 3", "1:1: 'none' is a keyword and cannot be assigned to; choose another name"),
    syntax("assignment to a call", "len(x) = 3", "1:1: cannot assign to this expression"),
    syntax("two expressions on a line", "x = 1 2", "1:7: expected the end of the statement (a new line or ';') before 2"),
    syntax("missing comma between arguments", "print(\"a\" \"b\")", "1:11: expected ')' to close the argument list, found \"b\""),
    syntax("positional after labelled", "range(stop: 5, 1)", "1:16: positional argument after a labelled one; put positional arguments first"),
    syntax("label with equals", "range(stop = 5)", "1:12: labelled arguments use ':', not '=': write 'stop: ...'"),
    syntax("label given twice", "range(5, step: 1, step: 2)", "1:19: argument 'step' given twice"),
    syntax("record field given twice", "r = {a: 1, a: 2}", "1:12: field 'a' given twice"),
    syntax("record key not a name", "r = {1: 2}", "1:6: expected a field name in the record"),
    syntax("if without braces", "if true x = 1", "1:9: expected '{' to start the 'if' body"),
    syntax("for without in", "for x [1, 2] { print(x) }", "1:7: expected 'in' after the loop variable"),
    syntax("for without variable", "for in [1] { }", "1:5: expected a loop variable after 'for'"),
    syntax("fn without name", "fn (a) { return a }", "1:4: expected a function name after 'fn'"),
    syntax("duplicate parameter", "fn f(a, a) { return a }", "1:9: duplicate parameter 'a'"),
    syntax("else without if", "else { x = 1 }", "1:1: 'else' is a keyword and cannot start an expression"),
    syntax("keyword as a variable", "in = 3", "1:1: 'in' is a keyword and cannot be assigned to; choose another name"),
    syntax("trailing dot", "x = keep.", "1:10: expected a member name after '.'"),
    syntax("error on a later line", "a = 1\nb = 2\nc = (3 +\n", "4:1: expected an expression"),
    syntax("deeply nested parentheses", "x = " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300),
           "1:205: expressions nested deeper than 200 levels; split the expression into steps"),
    // Found by fuzzing (Fuzz/Script; Tests/ScriptTests/FuzzRegressionTests.swift): deep recursion
    // inside long expressions overflowed the stack before the evaluation-depth bound.
    BadInput("limits", "recursion inside a 4,000-term expression", "fn f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)" + String(repeating: " + 1", count: 4_000) + "\n}\nf(190)",
             expect: "3:4019: expressions nested deeper than 3000 levels through function calls; split long expressions into steps or recurse less deeply"),
]
