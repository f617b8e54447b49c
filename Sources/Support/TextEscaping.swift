// Text made safe for the formats SeqLab writes by hand: markup (SVG, HTML) and JSON strings. One
// definition each, shared by the plots, the notebook report, safetensors headers and `write`.

import Foundation

/// `text` safe inside XML or HTML content and in single- or double-quoted attribute values.
public func markupEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        // A numeric reference: XML's &apos; is not in HTML 4, and this reads the same in both.
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

/// `s` as a JSON string literal, quotes included (control characters as \u escapes).
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
