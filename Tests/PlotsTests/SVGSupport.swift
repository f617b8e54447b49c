// Reading the SVG the charts write: it must parse as XML, and the tests count what it draws and
// read positions back from it.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// What an SVG document contains, from a real XML parse.
final class SVGSummary: NSObject, XMLParserDelegate {
    /// How many elements of each name.
    private(set) var counts: [String: Int] = [:]
    /// The text of every `<text>` element, in document order.
    private(set) var texts: [String] = []
    /// The attributes of every element, in document order.
    private(set) var elements: [(name: String, attributes: [String: String])] = []
    /// Every `<text>` element's attributes with its text, in document order.
    private(set) var labels: [(attributes: [String: String], text: String)] = []
    /// The hover text of elements that have a `<title>` child, by the element's index in `elements`.
    private(set) var titles: [Int: String] = [:]
    private var inText = false
    private var current = ""
    /// Indices in `elements` of the elements still open, innermost last.
    private var open: [Int] = []
    private var titleOwner: Int?

    /// Parses `svg`, failing the calling test when it is not well-formed XML with an `<svg>` root.
    static func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> SVGSummary {
        let summary = SVGSummary()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = summary
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertEqual(summary.elements.first?.name, "svg", file: file, line: line)
        XCTAssertEqual(summary.elements.first?.attributes["xmlns"], "http://www.w3.org/2000/svg", file: file, line: line)
        return summary
    }

    /// The number of `name` elements.
    func count(_ name: String) -> Int { counts[name, default: 0] }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        if name == "title" { titleOwner = open.last; current = "" }
        open.append(elements.count)
        elements.append((name, attributes))
        if name == "text" { inText = true; current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText || titleOwner != nil { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let index = open.removeLast()
        if name == "text" {
            inText = false
            texts.append(current)
            labels.append((elements[index].attributes, current))
        }
        if name == "title", let owner = titleOwner { titles[owner] = current; titleOwner = nil }
    }
}
