// Number formats shared by the terminal and SVG renderers. Both are built on printf-style formatting
// of a fixed number of digits, so the same input gives the same text on every machine (golden tests).

import Foundation

/// Short text for a number on an axis or at the end of a bar: three significant digits, trailing
/// zeros dropped, scientific form outside [0.001, 100000): `0.0123`, `3.45`, `1234`, `1.2e-5`.
public func compactNumber(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude < 1e-3 || magnitude >= 1e5 {
        return scientific(value, significant: 3)
    }
    let exponent = Int(floor(log10(magnitude)))
    let decimals = max(0, 2 - exponent)
    return trimmedFixed(value, decimals: decimals)
}

/// `value` with `decimals` digits after the point, trailing zeros and a bare point removed, no "-0".
func trimmedFixed(_ value: Double, decimals: Int) -> String {
    var text = String(format: "%.\(decimals)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}

/// Scientific form with a short exponent: `1.2e-5`, `3e+7` becomes `3e7`.
func scientific(_ value: Double, significant: Int) -> String {
    let text = String(format: "%.\(max(0, significant - 1))e", value)
    guard let e = text.firstIndex(of: "e") else { return text }
    var mantissa = String(text[..<e])
    if mantissa.contains(".") {
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
    }
    var exponent = String(text[text.index(after: e)...])
    let negative = exponent.hasPrefix("-")
    exponent = String(exponent.drop(while: { $0 == "+" || $0 == "-" || $0 == "0" }))
    if exponent.isEmpty { exponent = "0" }
    return mantissa + "e" + (negative ? "-" : "") + exponent
}

/// A coordinate in an SVG file: two decimals at most, so output is stable and small.
func svgNumber(_ value: Double) -> String {
    trimmedFixed(value, decimals: 2)
}
