// torch.save files read without Python (Golden/make_torch_checkpoint_golden.py wrote the fixtures
// with torch 2.13), state dicts written back, and each kind of damage a single clear error.

import Foundation
import TestSupport
import XCTest
@testable import Tensors

final class TorchCheckpointTests: XCTestCase {
    private func golden(_ name: String) throws -> TorchCheckpoint {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        return try TorchCheckpoint(contentsOf: url.path)
    }

    private func tensors(_ c: TorchCheckpoint) throws -> [String: TorchTensorReference] {
        Dictionary(uniqueKeysWithValues: try c.stateDict(c.pickle.root).map { ($0.name, $0.tensor) })
    }

    func testReadsEveryDtypeAndViewTorchWrites() throws {
        let c = try golden("torch-state-dict.pth")
        let names = try c.stateDict(c.pickle.root).map(\.name)
        XCTAssertEqual(names, ["f32", "f64", "f16", "bf16", "i64", "i32", "flags", "u8", "scalar", "empty", "base", "view", "column", "weight"])
        let t = try tensors(c)
        let f32 = try c.floatTensor(t["f32"]!, name: "f32")
        XCTAssertEqual(f32.shape, [2, 3])
        XCTAssertEqual(f32.scalars, [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(f32.name, "f32")
        XCTAssertEqual(try c.floatTensor(t["f64"]!, name: "f64").scalars, [1.25, -3.5])
        XCTAssertEqual(try c.floatTensor(t["f16"]!, name: "f16").scalars, [0.5, -2, 65504])
        XCTAssertEqual(try c.floatTensor(t["bf16"]!, name: "bf16").scalars, [1, -0.15625, 3])
        XCTAssertEqual(try c.integers(t["i64"]!, name: "i64"), [0, 5, -3, 1 << 40])
        XCTAssertEqual(try c.integers(t["i32"]!, name: "i32"), [1, 2, 3, 4])
        XCTAssertEqual(try c.integers(t["flags"]!, name: "flags"), [1, 0, 1])
        XCTAssertEqual(try c.integers(t["u8"]!, name: "u8"), [0, 255])
        let scalar = try c.floatTensor(t["scalar"]!, name: "scalar")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.scalars, [7.5])
        XCTAssertEqual(try c.floatTensor(t["empty"]!, name: "empty").shape, [0, 4])
        // Views share base's storage; their strides and offsets pick the right elements.
        XCTAssertEqual(t["view"]!.storageKey, t["base"]!.storageKey)
        XCTAssertEqual(t["view"]!.strides, [1, 4])
        XCTAssertEqual(try c.floatTensor(t["view"]!, name: "view").scalars, [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        XCTAssertEqual(t["column"]!.offset, 1)
        XCTAssertEqual(try c.floatTensor(t["column"]!, name: "column").scalars, [1, 5, 9])
        XCTAssertEqual(try c.floatTensor(t["weight"]!, name: "weight").scalars, [0.25, 0.5, 0.75, 1])
        XCTAssertThrowsError(try c.integers(t["f32"]!, name: "f32")) { XCTAssertTrue("\($0)".contains("not an integer type"), "\($0)") }
        XCTAssertThrowsError(try c.floatTensor(t["i64"]!, name: "i64")) { XCTAssertTrue("\($0)".contains("not floating point"), "\($0)") }
    }

    func testReadsProtocolFourWithForeignClassesAsInertRecords() throws {
        let c = try golden("torch-protocol4.pth")
        let p = c.pickle
        let root = try XCTUnwrap(p.dict(p.root))
        XCTAssertEqual(root.entries.map(\.key), ["config", "epoch", "best", "big", "neg", "blob", "items", "state_dict", "device"].map { .string($0) })
        XCTAssertEqual(root["epoch"], .int(3))
        XCTAssertEqual(root["best"], .float(0.125))
        XCTAssertEqual(root["neg"], .int(-129))
        XCTAssertEqual(root["blob"], .bytes(Data("ab".utf8)))
        guard case .bigInt(let digits) = root["big"]! else { return XCTFail("2**70 is not a big integer") }
        XCTAssertEqual(digits, [0, 0, 0, 0, 0, 0, 0, 0, 64])
        let items = try XCTUnwrap(p.elements(root["items"]!))
        XCTAssertEqual(Array(items.prefix(5)), [.int(1), .float(2.5), .string("x"), .none, .bool(true)])
        XCTAssertEqual(p.elements(items[5]), [.int(1), .int(2)])
        // The config is a record of the class it names and the state BUILD gave it; nothing ran.
        let config = try XCTUnwrap(p.object(root["config"]!))
        XCTAssertEqual(p.globalName(config.callee), "__main__.Config")
        let state = try XCTUnwrap(p.dict(try XCTUnwrap(config.state)))
        let finalConfig = try XCTUnwrap(p.dict(try XCTUnwrap(state["final_config_dict"])))
        XCTAssertEqual(finalConfig["model"], .string("SASRec"))
        XCTAssertEqual(finalConfig["hidden_size"], .int(64))
        XCTAssertEqual(c.describe(root["device"]!), "an object of torch.device")
        let inner = try c.stateDict(root["state_dict"]!)
        XCTAssertEqual(inner.map(\.name), ["w"])
        XCTAssertEqual(try c.floatTensor(inner[0].tensor, name: "w").scalars, [1, 2])
        XCTAssertThrowsError(try c.stateDict(p.root)) { XCTAssertTrue("\($0)".contains("entry 'config' is an object of __main__.Config, not a tensor"), "\($0)") }
    }

    func testWrittenStateDictReadsBack() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-30, -7], name: "a")
        let data = TorchStateDictWriter.encode([("layer.weight", .float(a)), ("ids", .int64([1, -2, 1 << 40], shape: [3])),
                                                ("small", .int32(IndexTensor(shape: [2], values: [7, -8]))),
                                                ("scalar", .float(Tensor(shape: [], scalars: [2.5], name: "s")))])
        XCTAssertEqual(data, TorchStateDictWriter.encode([("layer.weight", .float(a)), ("ids", .int64([1, -2, 1 << 40], shape: [3])),
                                                          ("small", .int32(IndexTensor(shape: [2], values: [7, -8]))),
                                                          ("scalar", .float(Tensor(shape: [], scalars: [2.5], name: "s")))]),
                       "the same tensors give the same bytes")
        let c = try TorchCheckpoint(data: data, path: "written.pth")
        let entries = try c.stateDict(c.pickle.root)
        XCTAssertEqual(entries.map(\.name), ["layer.weight", "ids", "small", "scalar"])
        XCTAssertEqual(try c.floatTensor(entries[0].tensor, name: "w").scalars, a.scalars)
        XCTAssertEqual(entries[0].tensor.shape, [2, 3])
        XCTAssertEqual(entries[0].tensor.strides, [3, 1])
        XCTAssertEqual(try c.integers(entries[1].tensor, name: "ids"), [1, -2, 1 << 40])
        XCTAssertEqual(try c.integers(entries[2].tensor, name: "small"), [7, -8])
        XCTAssertEqual(try c.floatTensor(entries[3].tensor, name: "s").shape, [])
        // Every member's data starts on a 64-byte boundary, as PyTorch's writer aligns them.
        let zip = try ZipArchive(data: data, path: "written.pth")
        XCTAssertEqual(zip.entries.map(\.name), ["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1",
                                                 "archive/data/2", "archive/data/3", "archive/version"])
        for e in zip.entries { XCTAssertEqual(e.dataOffset % 64, 0, e.name) }
    }

    /// PyTorch itself loads what SeqLab writes (skipped where python3 has no torch).
    func testTorchLoadsWrittenStateDictWeightsOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-torch-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.pth").path
        try TorchStateDictWriter.write([("a.weight", .float(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4.5], name: "a"))),
                                        ("steps", .int64([3, 1 << 33], shape: [2]))], to: path)
        let script = """
        import sys
        try:
            import torch
        except ImportError:
            print("NO TORCH"); sys.exit(0)
        s = torch.load(sys.argv[1], weights_only=True)
        print(type(s).__name__, list(s.keys()), s['a.weight'].dtype, s['a.weight'].tolist(), s['steps'].tolist())
        m = torch.nn.Linear(2, 2, bias=False)
        m.load_state_dict({'weight': s['a.weight']}, strict=True)
        print("loaded")
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        do { try process.run() } catch { try skipTest("python3 cannot be started (\(error)); torch.load of a written file not checked") }
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if text.contains("NO TORCH") { try skipTest("python3 has no torch; torch.load of a written file not checked") }
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("OrderedDict ['a.weight', 'steps'] torch.float32 [[1.0, 2.0], [3.0, 4.5]] [3, 8589934592]"), text)
        XCTAssertTrue(text.contains("loaded"), text)
    }

    func testDamageIsOneClearError() throws {
        let good = TorchStateDictWriter.encode([("w", .float(Tensor(shape: [4], scalars: [1, 2, 3, 4], name: "w")))])
        func message(_ data: Data) -> String {
            do {
                let c = try TorchCheckpoint(data: data, path: "bad.pth")
                let entries = try c.stateDict(c.pickle.root)
                _ = try c.floatTensor(entries[0].tensor, name: entries[0].name)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message(Data()).contains("too short for a zip archive"), message(Data()))
        XCTAssertTrue(message(good.prefix(good.count - 40)).contains("no zip directory found"), message(good.prefix(good.count - 40)))
        XCTAssertTrue(message(Data([0x80, 0x02, 0x7D, 0x2E] + Array(repeating: 0, count: 30))).contains("bare pickle"))
        // A flipped byte in the storage fails its CRC.
        var flipped = good
        let storage = try ZipArchive(data: good, path: "x").entry("archive/data/0")!
        flipped[storage.dataOffset + 2] ^= 0xFF
        XCTAssertTrue(message(flipped).contains("fails its CRC-32 check"), message(flipped))
        // A damaged pickle: an unknown opcode, a truncated one, one that pops an empty stack.
        func withPickle(_ bytes: [UInt8]) -> Data {
            ZipWriter.archive([("archive/data.pkl", Data(bytes)), ("archive/data/0", Data(count: 16))])
        }
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0xFF])).contains("unknown opcode 0xFF"), message(withPickle([0x80, 0x02, 0xFF])))
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0x58, 9, 0, 0, 0, 0x61])).contains("truncated"))
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0x2E])).contains("pops an empty stack"))
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0x4E])).contains("ends without STOP"))
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0x68, 5, 0x2E])).contains("memo entry 5"))
        XCTAssertTrue(message(withPickle([0x80, 0x02, 0x4E, 0x2E])).contains("expected a state dict (a dict of tensors) but found None"))
        // A view past its storage: 4 elements asked of a 16-byte storage of Float64 (2 elements).
        var p = [UInt8]([0x80, 0x02, 0x7D, 0x58, 1, 0, 0, 0, 0x77])
        p += Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28]
        p += [0x58, 7, 0, 0, 0] + Array("storage".utf8) + Array("ctorch\nDoubleStorage\n".utf8)
        p += [0x58, 1, 0, 0, 0, 0x30, 0x58, 3, 0, 0, 0] + Array("cpu".utf8) + [0x4B]
        let numel = p.count
        p += [2, 0x74, 0x51]
        p += [0x4B, 0, 0x4B, 4, 0x85, 0x4B, 1, 0x85, 0x89, 0x29, 0x74, 0x52, 0x73, 0x2E]
        XCTAssertTrue(message(withPickle(p)).contains("reads past its storage '0' of 2 elements"), message(withPickle(p)))
        // The same storage claimed as 4 Float64 elements in 16 bytes.
        p[numel] = 4
        XCTAssertTrue(message(withPickle(p)).contains("holds 16 bytes but its 4 Double elements need 32"), message(withPickle(p)))
        // A repacked (deflated) archive.
        var deflated = good
        // The central directory's method field of member 1: find its header after the data.
        let directory = good.count - 22 - (46 + "archive/data.pkl".utf8.count) - (46 + "archive/byteorder".utf8.count)
            - (46 + "archive/data/0".utf8.count) - (46 + "archive/version".utf8.count)
        XCTAssertEqual(Array(good[directory..<(directory + 4)]), [0x50, 0x4B, 0x01, 0x02])
        deflated[directory + 10] = 8
        XCTAssertTrue(message(deflated).contains("is compressed (zip method 8)"), message(deflated))
    }

    /// A chain a million lists deep, built through the memo, is read without recursion and freed
    /// without overflowing the stack.
    func testDeepNestingDoesNotRecurse() throws {
        var p: [UInt8] = [0x80, 0x02, 0x5D, 0x94]   // [] memo 0
        for k in 0..<200_000 {
            // get the previous innermost list, append a new list to it, memoize the new one
            p += [0x6A] + withUnsafeBytes(of: UInt32(k).littleEndian, Array.init)
            p += [0x5D, 0x94, 0x61, 0x30]
        }
        p += [0x68, 0, 0x2E]
        let pickle = try Pickle(data: Data(p), source: "deep.pkl")
        XCTAssertEqual(pickle.lists.count, 200_001)
    }
}
