// FIPS 180-2 test vectors plus the padding boundaries (55/56/64 bytes) where a hand-written SHA-256
// usually breaks, and chunked feeding, which must not change the digest.
import Foundation
import XCTest

@testable import Store

final class SHA256Tests: XCTestCase {
    func testStandardVectors() {
        XCTAssertEqual(SHA256.hex(of: ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex(of: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex(of: "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(
            SHA256.hex(of: String(repeating: "a", count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testPaddingBoundaries() {
        // Reference digests from coreutils sha256sum.
        XCTAssertEqual(
            SHA256.hex(of: String(repeating: "a", count: 55)),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(
            SHA256.hex(of: String(repeating: "a", count: 56)),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(
            SHA256.hex(of: String(repeating: "a", count: 64)),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    func testChunkedFeedingGivesTheSameDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hex(of: Data(bytes))
        for chunk in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                hasher.update(bytes[start..<min(start + chunk, bytes.count)])
                start += chunk
            }
            XCTAssertEqual(hasher.finalizeHex(), whole, "chunk size \(chunk)")
        }
    }

    func testFileHashMatchesStringHashAndSize() throws {
        let directory = try temporaryDirectory()
        let file = directory.file("data.inter")
        let text = String(repeating: "user_id:token\titem_id:token\n1\t2\n", count: 50_000)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let (hex, bytes) = try SHA256.hexAndSize(ofFileAt: file)
        XCTAssertEqual(hex, SHA256.hex(of: text))
        XCTAssertEqual(bytes, Int64(text.utf8.count))
    }

    func testUnreadableFileIsAnError() throws {
        let directory = try temporaryDirectory()
        let missing = directory.file("nope.csv")
        assertThrows(.unreadableFile(path: missing)) { () throws(StoreError) in try SHA256.hexAndSize(ofFileAt: missing) }
        assertThrows(.unreadableFile(path: directory.path)) { () throws(StoreError) in
            try SHA256.hexAndSize(ofFileAt: directory.path)
        }
    }
}
