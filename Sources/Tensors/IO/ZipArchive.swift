// The zip container `torch.save` writes since PyTorch 1.6: stored (uncompressed) entries under one
// top-level folder, each entry's data aligned to 64 bytes by padding in its local header's extra
// field. Reading takes the central directory as the truth (sizes, offsets, CRC-32), checks every
// offset against the file before touching it, and verifies each entry's CRC-32 when it is read.
// Zip64 records are understood, since PyTorch writes them for large files. Compressed entries are
// refused with a message: PyTorch never compresses, so such a file was repacked by another tool.
// Writing is deterministic: entries in the caller's order, a fixed timestamp, 64-byte alignment.

import Foundation

/// A problem with a PyTorch checkpoint (its zip container, its pickle or its tensors), naming the
/// file and what is wrong.
public struct TorchCheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or a description of where the bytes came from).
    public let path: String
    /// What is wrong and, where possible, what to do.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): error: \(message)" }
}

/// A zip archive held in memory, read through its central directory.
public struct ZipArchive {
    /// One member of the archive.
    public struct Entry: Sendable {
        /// The member's name, '/'-separated.
        public let name: String
        /// Where its data starts in the archive.
        public let dataOffset: Int
        /// Its size in bytes (stored, so compressed and uncompressed sizes agree).
        public let size: Int
        /// The CRC-32 the directory records.
        public let crc32: UInt32
    }

    /// Where the bytes came from, for messages.
    public let path: String
    /// The members in central-directory order.
    public let entries: [Entry]
    private let bytes: Data
    // Lookup only; never iterated.
    private let index: [String: Int]

    /// Parses the archive's directory; member data is checked when read.
    public init(data: Data, path: String) throws(TorchCheckpointError) {
        self.path = path
        bytes = data
        let reader = ByteReader(data)
        func fail(_ message: String) -> TorchCheckpointError { TorchCheckpointError(path: path, message: message) }

        // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
        guard data.count >= 22 else {
            throw fail("the file is \(data.count) bytes, too short for a zip archive; torch.save files are zip archives (PyTorch 1.6 or later)")
        }
        var eocd = -1
        var at = data.count - 22
        let lowest = max(0, data.count - 22 - 65_535)
        while at >= lowest {
            if reader.u32(at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else {
            if data.count >= 2, reader.u8(0) == 0x80 {
                throw fail("this is a bare pickle (the legacy format of PyTorch before 1.6); load it in PyTorch and save it again with torch.save")
            }
            throw fail("no zip directory found: the file is truncated or not a torch.save checkpoint")
        }
        var entryCount = Int(reader.u16(eocd + 10))
        var directorySize = Int(reader.u32(eocd + 12))
        var directoryOffset = Int(reader.u32(eocd + 16))
        if reader.u16(eocd + 4) != 0 || reader.u16(eocd + 6) != 0 {
            throw fail("the archive spans several disks, which a checkpoint never does")
        }
        // Zip64: a locator right before the record points at the 64-bit record.
        if eocd >= 20, reader.u32(eocd - 20) == 0x0706_4B50 {
            guard let r = Int(exactly: reader.u64(eocd - 20 + 8)), r >= 0, r <= data.count - 56, reader.u32(r) == 0x0606_4B50 else {
                throw fail("the zip64 directory record lies outside the file: the file is truncated or damaged")
            }
            guard let count = Int(exactly: reader.u64(r + 32)), let size = Int(exactly: reader.u64(r + 40)),
                  let offset = Int(exactly: reader.u64(r + 48)) else {
                throw fail("the zip64 directory record holds impossible sizes")
            }
            (entryCount, directorySize, directoryOffset) = (count, size, offset)
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= data.count,
              directorySize <= data.count - directoryOffset else {
            throw fail("the zip directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the \(data.count)-byte file: the file is truncated")
        }
        guard entryCount <= directorySize / 46 else {
            throw fail("the zip directory claims \(entryCount) members in \(directorySize) bytes: the file is damaged")
        }

        var entries: [Entry] = []
        var index: [String: Int] = [:]
        var p = directoryOffset
        let end = directoryOffset + directorySize
        for n in 0..<entryCount {
            guard p + 46 <= end, reader.u32(p) == 0x0201_4B50 else {
                throw fail("zip directory member \(n + 1) is damaged (no header at offset \(p))")
            }
            let flags = reader.u16(p + 8), method = reader.u16(p + 10), crc = reader.u32(p + 16)
            var compressed = UInt64(reader.u32(p + 20)), size = UInt64(reader.u32(p + 24))
            let nameLength = Int(reader.u16(p + 28)), extraLength = Int(reader.u16(p + 30)), commentLength = Int(reader.u16(p + 32))
            var localOffset = UInt64(reader.u32(p + 42))
            let nameStart = p + 46
            guard nameStart + nameLength + extraLength + commentLength <= end else {
                throw fail("zip directory member \(n + 1) runs past the directory: the file is damaged")
            }
            guard let name = String(bytes: data[(data.startIndex + nameStart)..<(data.startIndex + nameStart + nameLength)], encoding: .utf8) else {
                throw fail("zip directory member \(n + 1) has a name that is not UTF-8")
            }
            // Zip64 extra field: the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
            var e = nameStart + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = reader.u16(e), length = Int(reader.u16(e + 2))
                guard e + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var q = e + 4
                    func next() -> UInt64? { guard q + 8 <= e + 4 + length else { return nil }; defer { q += 8 }; return reader.u64(q) }
                    if size == 0xFFFF_FFFF { size = next() ?? size }
                    if compressed == 0xFFFF_FFFF { compressed = next() ?? compressed }
                    if localOffset == 0xFFFF_FFFF { localOffset = next() ?? localOffset }
                }
                e += 4 + length
            }
            if flags & 1 != 0 { throw fail("member '\(name)' is encrypted; a checkpoint never is") }
            guard method == 0 else {
                throw fail("member '\(name)' is compressed (zip method \(method)); torch.save stores members uncompressed, so this archive was repacked: load it in PyTorch and save it again")
            }
            guard compressed == size else {
                throw fail("member '\(name)' records \(compressed) stored bytes but \(size) bytes of data: the file is damaged")
            }
            guard let local = Int(exactly: localOffset), local >= 0, local <= data.count - 30, reader.u32(local) == 0x0403_4B50 else {
                throw fail("member '\(name)' has no local header at offset \(localOffset): the file is truncated or damaged")
            }
            let dataOffset = local + 30 + Int(reader.u16(local + 26)) + Int(reader.u16(local + 28))
            guard dataOffset <= data.count, size <= UInt64(data.count - dataOffset), Int(exactly: size) != nil else {
                throw fail("member '\(name)' (\(size) bytes at offset \(dataOffset)) runs past the end of the \(data.count)-byte file: the file is truncated")
            }
            if index[name] == nil { index[name] = entries.count }
            entries.append(Entry(name: name, dataOffset: dataOffset, size: Int(size), crc32: crc))
            p = extraEnd + commentLength
        }
        self.entries = entries
        self.index = index
    }

    /// The member called `name`, or nil.
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The bytes of member `name`, their CRC-32 checked.
    public func contents(_ name: String) throws(TorchCheckpointError) -> Data {
        guard let e = entry(name) else { throw TorchCheckpointError(path: path, message: "the archive has no member '\(name)'") }
        return try contents(e)
    }

    /// The bytes of `entry`, their CRC-32 checked.
    public func contents(_ entry: Entry) throws(TorchCheckpointError) -> Data {
        let start = bytes.startIndex + entry.dataOffset
        let slice = bytes[start..<(start + entry.size)]
        let actual = CRC32.checksum(slice)
        guard actual == entry.crc32 else {
            throw TorchCheckpointError(path: path, message: "member '\(entry.name)' fails its CRC-32 check (recorded \(hex(entry.crc32)), found \(hex(actual))): the file is damaged")
        }
        return slice
    }
}

private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true) }

/// Writes zip archives the way `torch.save` lays them out: stored members, data aligned to 64 bytes.
public enum ZipWriter {
    /// The archive holding `members` in the given order.
    public static func archive(_ members: [(name: String, data: Data)]) -> Data {
        var out = Data()
        var directory = Data()
        // 1980-01-01 00:00, so the same members always give the same bytes.
        let (time, date): (UInt16, UInt16) = (0, 0x21)
        let needsZip64 = members.reduce(0) { $0 + $1.data.count + 200 } >= 0xFFFF_FFFF
        precondition(!needsZip64 && members.count < 65_535 && members.allSatisfy { $0.name.utf8.count < 65_535 },
                     "ZipWriter: archives of 4 GiB or more, 65,535 members or more, or names of 64 KiB are not written (callers check)")
        for (name, data) in members {
            let nameBytes = Array(name.utf8)
            let crc = CRC32.checksum(data)
            let offset = out.count
            // Pad with an extra field (id 0x4246, as PyTorch's writer) so the data starts at a multiple of 64.
            let unpadded = offset + 30 + nameBytes.count
            var padding = (64 - unpadded % 64) % 64
            if padding > 0 && padding < 4 { padding += 64 }
            out.appendLE(UInt32(0x0403_4B50)); out.appendLE(UInt16(20)); out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
            out.appendLE(time); out.appendLE(date); out.appendLE(crc)
            out.appendLE(UInt32(data.count)); out.appendLE(UInt32(data.count))
            out.appendLE(UInt16(nameBytes.count)); out.appendLE(UInt16(padding))
            out.append(contentsOf: nameBytes)
            if padding > 0 {
                out.appendLE(UInt16(0x4246)); out.appendLE(UInt16(padding - 4))
                out.append(Data(repeating: 0x5A, count: padding - 4))
            }
            out.append(data)

            directory.appendLE(UInt32(0x0201_4B50)); directory.appendLE(UInt16(20)); directory.appendLE(UInt16(20))
            directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(time); directory.appendLE(date)
            directory.appendLE(crc); directory.appendLE(UInt32(data.count)); directory.appendLE(UInt32(data.count))
            directory.appendLE(UInt16(nameBytes.count)); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0))
            directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(UInt32(0))
            directory.appendLE(UInt32(offset))
            directory.append(contentsOf: nameBytes)
        }
        let directoryOffset = out.count
        out.append(directory)
        out.appendLE(UInt32(0x0605_4B50)); out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
        out.appendLE(UInt16(members.count)); out.appendLE(UInt16(members.count))
        out.appendLE(UInt32(directory.count)); out.appendLE(UInt32(directoryOffset)); out.appendLE(UInt16(0))
        return out
    }
}

/// CRC-32 (the zip / IEEE 802.3 polynomial, reflected), table-driven.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of `data`.
    public static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            var c: UInt32 = 0xFFFF_FFFF
            table.withUnsafeBufferPointer { t in
                for b in raw { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
            }
            return c ^ 0xFFFF_FFFF
        }
    }
}

/// Little-endian reads at byte offsets the caller has checked against the length.
struct ByteReader {
    let data: Data
    init(_ data: Data) { self.data = data }
    func u8(_ i: Int) -> UInt8 { data[data.startIndex + i] }
    func u16(_ i: Int) -> UInt16 { UInt16(u8(i)) | UInt16(u8(i + 1)) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}

extension Data {
    /// Appends `value` in little-endian byte order.
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
