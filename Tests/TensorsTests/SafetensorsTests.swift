import Foundation
import XCTest
@testable import Tensors

final class SafetensorsTests: XCTestCase {
    func testReadsAFileWrittenByTorch() throws {
        let f = try goldenFile("torch-written.safetensors")
        XCTAssertEqual(f.metadata, ["writer": "torch"])
        let f32 = try f.tensor("f32")
        XCTAssertEqual(f32.shape, [2, 3])
        XCTAssertEqual(f32.scalars, [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(try f.int64s("i64"), [0, 5, -3, 1 << 40])
        XCTAssertThrowsError(try f.indices("i64")) { XCTAssertTrue("\($0)".contains("outside the Int32 range")) }
        XCTAssertEqual(try f.indices("i32"), IndexTensor(shape: [2, 2], values: [1, 2, 3, 4]))
        XCTAssertEqual(try f.tensor("f16").scalars, [0.5, -2, 65504])
        XCTAssertEqual(try f.tensor("f64").scalars, [1.25, -3.5])
        XCTAssertEqual(try f.tensor("bf16").scalars, [1, -0.15625, 3])
        let scalar = try f.tensor("scalar")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.item, 2.5)
        XCTAssertEqual(try f.tensor("empty").shape, [0, 3])
        XCTAssertThrowsError(try f.tensor("f33")) { XCTAssertTrue("\($0)".contains("did you mean 'f32'")) }
    }

    func testRoundTripKeepsOrderShapesAndValues() throws {
        let a = Tensor(shape: [2, 2], scalars: [1, -2, 3.5, .infinity])
        let ids = IndexTensor(shape: [3], values: [0, -7, Int32.max])
        let data = SafetensorsWriter.encode(
            [("z.weight", .float(a)), ("a.ids", .int32(ids)), ("rng", .int64([1, -1], shape: [2]))],
            metadata: ["seqlab": "1", "quote\"d": "line\nbreak"])
        let f = try SafetensorsFile(data: data)
        XCTAssertEqual(f.names, ["z.weight", "a.ids", "rng"])
        XCTAssertEqual(f.metadata["quote\"d"], "line\nbreak")
        XCTAssertEqual(try f.tensor("z.weight").scalars, a.scalars)
        XCTAssertEqual(try f.indices("a.ids"), ids)
        XCTAssertEqual(try f.int64s("rng"), [1, -1])
        XCTAssertEqual(SafetensorsWriter.encode([("z.weight", .float(a))]), SafetensorsWriter.encode([("z.weight", .float(a))]))

        let path = NSTemporaryDirectory() + "seqlab-roundtrip-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter.write([("w", .float(a))], to: path)
        XCTAssertEqual(try SafetensorsFile(contentsOf: path).tensor("w").scalars, a.scalars)
    }

    func testCorruptedFilesGiveOneClearError() {
        let good = SafetensorsWriter.encode([("w", .float(Tensor(shape: [4], scalars: [1, 2, 3, 4])))])
        func error(_ data: Data) -> String {
            do { _ = try SafetensorsFile(data: data, path: "bad.safetensors"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error(Data()).contains("8-byte header length"))
        XCTAssertTrue(error(good.prefix(good.count - 3)).contains("outside the"))
        var hugeHeader = good
        hugeHeader[0] = 0xFF; hugeHeader[5] = 0x7F
        XCTAssertTrue(error(hugeHeader).contains("exceeds"))
        var notJSON = good
        notJSON[8] = UInt8(ascii: "[")
        XCTAssertTrue(error(notJSON).contains("not a JSON object"))
        func withHeader(_ json: String, body: Int) -> Data {
            var d = Data()
            var n = UInt64(json.utf8.count).littleEndian
            withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
            d.append(Data(json.utf8))
            d.append(Data(count: body))
            return d
        }
        XCTAssertTrue(error(withHeader(#"{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#, body: 1)).contains("unsupported dtype Q8"))
        XCTAssertTrue(error(withHeader(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, body: 8)).contains("needs 12"))
        XCTAssertTrue(error(withHeader(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, body: 4)).contains("invalid shape"))
        XCTAssertTrue(error(withHeader(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, body: 8)).contains("overlap"))
        XCTAssertTrue(error(withHeader(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, body: 4)).contains("invalid shape") )
        XCTAssertTrue(error(notJSON).hasPrefix("bad.safetensors: error:"))
    }
}
