// safetensors, the format PyTorch and Hugging Face use for weights:
//   8 bytes  little-endian UInt64 N, the header length
//   N bytes  UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//            "__metadata__": {"key": "value"}}, padded with spaces
//   rest     the tensors' bytes, little-endian, offsets relative to the end of the header
// Reading validates everything a corrupted or hostile file could get wrong and reports it as a
// `SafetensorsError` naming the file; writing is deterministic (entries in the caller's order, keys
// in a fixed order) and atomic (temporary file, then rename).

import Foundation
import Support

/// A problem with a safetensors file, naming the file and what is wrong.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file (or "<memory>").
    public let path: String
    /// What is wrong and, where possible, what to do.
    public let message: String

    public var description: String { "\(path): error: \(message)" }
}

/// Element types a safetensors file may hold that SeqLab reads.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// True for the floating-point types.
    public var isFloatingPoint: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }
}

/// A parsed safetensors file: its entries (ordered by position in the file) and metadata.
public struct SafetensorsFile {
    /// One tensor's description within the file.
    public struct Entry: Sendable {
        /// Tensor name.
        public let name: String
        /// Element type.
        public let dtype: SafetensorsDType
        /// Dimensions.
        public let shape: [Int]
        /// Byte range within the data section.
        public let range: Range<Int>
        /// Number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Where the bytes came from, for messages.
    public let path: String
    /// Entries in file order.
    public let entries: [Entry]
    /// The `__metadata__` map.
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int

    /// Names in file order.
    public var names: [String] { entries.map(\.name) }

    /// Reads and validates a file.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw SafetensorsError(path: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, path: path)
    }

    /// Parses and validates bytes already in memory.
    public init(data: Data, path: String = "<memory>") throws {
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(path: path, message: message) }
        guard data.count >= 8 else {
            throw fail("file is \(data.count) bytes; a safetensors file starts with an 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100_000_000 else {
            throw fail("header length \(headerLength) exceeds the \(data.count)-byte file: truncated or not safetensors")
        }
        let start = 8 + Int(headerLength)
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + start))
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes),
              let object = json as? [String: Any] else {
            throw fail("the header is not a JSON object: file is corrupted or not safetensors")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        let dataLength = data.count - start
        for key in object.keys.sorted() {
            let value = object[key]!
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ must be an object of strings") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry '\(key)' is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("entry '\(key)' has no dtype") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail("entry '\(key)' has unsupported dtype \(dtypeName); supported: "
                           + SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let shapeValues = info["shape"] as? [Any],
                  let shape = Optional(shapeValues.compactMap { ($0 as? NSNumber)?.intValue }),
                  shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }) else {
                throw fail("entry '\(key)' has an invalid shape")
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = (offsets[0] as? NSNumber)?.intValue, let end = (offsets[1] as? NSNumber)?.intValue,
                  begin >= 0, begin <= end, end <= dataLength else {
                throw fail("entry '\(key)' has data offsets outside the \(dataLength)-byte data section: file truncated?")
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("entry '\(key)' shape \(shape) is too large") }
                count = product
            }
            guard end - begin == count * dtype.size else {
                throw fail("entry '\(key)' holds \(end - begin) bytes but \(dtype.rawValue) \(shape) needs \(count * dtype.size)")
            }
            entries.append(Entry(name: key, dtype: dtype, shape: shape, range: begin..<end))
        }
        entries.sort { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        // Empty tensors occupy no bytes and may sit at any offset; only non-empty ranges can overlap.
        let filled = entries.filter { !$0.range.isEmpty }
        for (a, b) in zip(filled, filled.dropFirst()) where a.range.upperBound > b.range.lowerBound {
            throw fail("entries '\(a.name)' and '\(b.name)' overlap")
        }
        self.path = path
        self.entries = entries
        self.metadata = metadata
        self.bytes = data
        self.dataStart = start
    }

    /// The entry called `name`.
    public func entry(_ name: String) throws -> Entry {
        guard let e = entries.first(where: { $0.name == name }) else {
            // Suggest only a near miss: at most two edits, and a third of the name.
            let hint = entries.map(\.name).min { editDistance($0, name) < editDistance($1, name) }
                .flatMap { editDistance($0, name) <= min(2, max(1, name.count / 3)) ? $0 : nil }
            throw SafetensorsError(path: path, message: "no tensor named '\(name)'"
                                   + (hint.map { "; did you mean '\($0)'?" } ?? ""))
        }
        return e
    }

    /// The tensor `name` converted to Float32 (from F32, F16, BF16 or F64).
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        guard e.dtype.isFloatingPoint else {
            throw SafetensorsError(path: path, message: "tensor '\(name)' is \(e.dtype.rawValue), not floating point; read it as indices")
        }
        let t = Tensor(zeros: e.shape, name: name)
        let out = t.pointer
        withBytes(of: e) { raw in
            switch e.dtype {
            case .f32: for i in 0..<e.count { out[i] = Float(bitPattern: raw.loadLE(UInt32.self, at: i)) }
            case .f64: for i in 0..<e.count { out[i] = Float(Double(bitPattern: raw.loadLE(UInt64.self, at: i))) }
            case .f16: for i in 0..<e.count { out[i] = halfToFloat(raw.loadLE(UInt16.self, at: i)) }
            case .bf16: for i in 0..<e.count { out[i] = Float(bitPattern: UInt32(raw.loadLE(UInt16.self, at: i)) << 16) }
            default: break
            }
        }
        return t
    }

    /// The tensor `name` as Int32 indices (from I32, I64 within range, I16, I8, U8, BOOL).
    public func indices(_ name: String) throws -> IndexTensor {
        let e = try entry(name)
        guard !e.dtype.isFloatingPoint else {
            throw SafetensorsError(path: path, message: "tensor '\(name)' is \(e.dtype.rawValue), not an integer type")
        }
        var values = [Int32](repeating: 0, count: e.count)
        var outOfRange: Int64?
        withBytes(of: e) { raw in
            for i in 0..<e.count {
                switch e.dtype {
                case .i32: values[i] = Int32(bitPattern: raw.loadLE(UInt32.self, at: i))
                case .i64:
                    let v = Int64(bitPattern: raw.loadLE(UInt64.self, at: i))
                    if let small = Int32(exactly: v) { values[i] = small } else if outOfRange == nil { outOfRange = v }
                case .i16: values[i] = Int32(Int16(bitPattern: raw.loadLE(UInt16.self, at: i)))
                case .i8: values[i] = Int32(Int8(bitPattern: raw[i]))
                case .u8, .bool: values[i] = Int32(raw[i])
                default: break
                }
            }
        }
        if let v = outOfRange {
            throw SafetensorsError(path: path, message: "tensor '\(name)' holds \(v), outside the Int32 range of indices")
        }
        return IndexTensor(shape: e.shape, values: values)
    }

    /// The tensor `name` as Int64 values (I64 or narrower integers).
    public func int64s(_ name: String) throws -> [Int64] {
        let e = try entry(name)
        if e.dtype == .i64 {
            var values = [Int64](repeating: 0, count: e.count)
            withBytes(of: e) { raw in for i in 0..<e.count { values[i] = Int64(bitPattern: raw.loadLE(UInt64.self, at: i)) } }
            return values
        }
        return try indices(name).values.map(Int64.init)
    }

    private func withBytes(of e: Entry, _ body: (UnsafeRawBufferPointer) -> Void) {
        let lower = bytes.startIndex + dataStart + e.range.lowerBound
        bytes[lower..<(lower + e.range.count)].withUnsafeBytes(body)
    }
}

/// A tensor to write: Float32 values or Int32/Int64 indices.
public enum SafetensorsValue {
    /// Float32 values with the tensor's shape.
    case float(Tensor)
    /// Int32 indices with their shape.
    case int32(IndexTensor)
    /// Int64 values with a shape (optimizer step counts, RNG state words).
    case int64([Int64], shape: [Int])
}

/// Writes safetensors files.
public enum SafetensorsWriter {
    /// The bytes of a safetensors file holding `tensors` in the given order, with `metadata`.
    public static func encode(_ tensors: [(name: String, value: SafetensorsValue)], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonQuoted($0)):\(jsonQuoted(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        var body = Data()
        for (name, value) in tensors {
            let dtype: String, shape: [Int]
            let start = body.count
            switch value {
            case .float(let t):
                dtype = "F32"; shape = t.shape
                appendLittleEndian(&body, UnsafeBufferPointer(start: t.pointer, count: t.count))
            case .int32(let ids):
                dtype = "I32"; shape = ids.shape
                ids.values.withUnsafeBufferPointer { appendLittleEndian(&body, $0) }
            case .int64(let values, let s):
                precondition(s.reduce(1, *) == values.count, "int64 tensor \(name): shape \(s) vs \(values.count) values")
                dtype = "I64"; shape = s
                for v in values { appendLE(&body, UInt64(bitPattern: v)) }
            }
            let end = offset + (body.count - start)
            parts.append("\(jsonQuoted(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = Data()
        appendLE(&out, UInt64(headerBytes.count))
        out.append(headerBytes)
        out.append(body)
        return out
    }

    /// Writes the file atomically: a crash leaves either the old file or the new one, never half.
    public static func write(_ tensors: [(name: String, value: SafetensorsValue)], metadata: [String: String] = [:],
                             to path: String) throws {
        let data = encode(tensors, metadata: metadata)
        do { try AtomicFile.write(data, to: path) } catch {
            throw SafetensorsError(path: path, message: error.message)
        }
    }
}

/// Appends 4-byte values in little-endian order: one copy on little-endian hosts (all SeqLab
/// targets), element by element elsewhere.
private func appendLittleEndian<T>(_ data: inout Data, _ values: UnsafeBufferPointer<T>) {
    precondition(MemoryLayout<T>.size == 4)
    if 1.littleEndian == 1 {
        data.append(UnsafeBufferPointer(start: UnsafeRawPointer(values.baseAddress)?.assumingMemoryBound(to: UInt8.self),
                                        count: values.count * 4))
    } else {
        for v in values { appendLE(&data, unsafeBitCast(v, to: UInt32.self)) }
    }
}

private func appendLE<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
}


extension UnsafeRawBufferPointer {
    /// The little-endian value of type T at element index i (unaligned reads allowed).
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at i: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }
}

/// IEEE half → Float, including subnormals, infinities and NaN.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
        let value = Float(mantissa) * 0x1p-24
        return sign == 0 ? value : -value
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
}
