import XCTest
@testable import Script

final class LineEndingTests: XCTestCase {
    func testWindowsLineEndingsParseAndRecordLikeUnixOnes() {
        let (statements, errors) = Parser.parse("x = 1\r\nx\r\n")
        XCTAssertEqual(errors, [])
        XCTAssertEqual(statements.count, 2)
        XCTAssertEqual(statements[1].location, SourceLocation(line: 2, column: 1))
    }
}
