// Paths to fixtures and to the shared real data, and scratch directories for tests.
import Foundation
import XCTest
@testable import Datasets

/// The test fixtures bundled with this target.
func fixture(_ relative: String) -> String {
    (Bundle.module.resourcePath ?? "") + "/Fixtures/" + relative
}

/// `../shared/data/<relative>` resolved from the package root; skips the test when it is absent.
func sharedData(_ relative: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("../shared/data/" + relative).standardized.path
    guard FileManager.default.fileExists(atPath: path) else {
        print("skipping: shared data \(path) is absent (it lives outside the project; see Data/README.md)")
        throw XCTSkip("shared data \(path) is absent")
    }
    return path
}

/// A fresh empty directory under the system temporary directory.
func scratchDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("seqlab-tests-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `bytes` to `directory/name` (creating subdirectories) and returns the path.
@discardableResult
func writeFile(_ directory: String, _ name: String, _ bytes: [UInt8]) throws -> String {
    let path = directory + "/" + name
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// The ml-100k atomic files: ../shared/data/ml-100k, else Data/ml-100k (from `make data`); skips
/// the test when neither exists.
func ml100kDirectory() throws -> String {
    if let shared = try? sharedData("ml-100k") { return shared }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let local = root.appendingPathComponent("Data/ml-100k").path
    guard FileManager.default.fileExists(atPath: local + "/ml-100k.inter") else {
        print("skipping: no ml-100k files in ../shared/data or Data/ (run make data)")
        throw XCTSkip("no ml-100k files")
    }
    return local
}

/// The items of user `token` as tokens, oldest first.
func itemTokens(_ d: Dataset, user token: String) -> [String] {
    guard let u = d.users.id(of: token) else { return [] }
    return d.sequence(of: Int(u)).map { d.items.tokens[Int($0)] }
}
