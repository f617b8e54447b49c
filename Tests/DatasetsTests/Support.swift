// Paths to fixtures and to the shared real data, and scratch directories for tests.
import Foundation
import TestSupport
import XCTest
@testable import Datasets

/// The test fixtures bundled with this target.
func fixture(_ relative: String) -> String {
    (Bundle.module.resourcePath ?? "") + "/Fixtures/" + relative
}

/// `../shared/data/<relative>` resolved from the package root; skips the test with a printed reason
/// when it is absent, or fails it under SEQLAB_REQUIRE_SHARED=1 (CI).
func sharedData(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    try sharedPath("data/" + relative, file: file, line: line)
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
/// the test when neither exists (a failure under SEQLAB_REQUIRE_SHARED=1).
func ml100kDirectory(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let shared = URL(fileURLWithPath: sharedRootDirectory).appendingPathComponent("data/ml-100k").standardized.path
    if FileManager.default.fileExists(atPath: shared + "/ml-100k.inter") { return shared }
    let local = URL(fileURLWithPath: packageRootDirectory).appendingPathComponent("Data/ml-100k").path
    guard FileManager.default.fileExists(atPath: local + "/ml-100k.inter") else {
        try skipOrRequireShared("no ml-100k files in \(shared) or \(local) (run make data)", file: file, line: line)
    }
    return local
}

/// The items of user `token` as tokens, oldest first.
func itemTokens(_ d: Dataset, user token: String) -> [String] {
    guard let u = d.users.id(of: token) else { return [] }
    return d.sequence(of: Int(u)).map { d.items.tokens[Int($0)] }
}
