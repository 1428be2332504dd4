/// A bounds-checked little-endian cursor over a byte buffer. Every read checks the
/// remaining length first, so a corrupt file produces an error, never an out-of-bounds read.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw GGUFError.truncated(offset: offset, need: count - remaining, what: what())
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// Reads a count and rejects it unless `count * minimumSize` bytes remain.
    mutating func readCount(minimumSize: Int, _ what: @autoclosure () -> String) throws -> Int {
        let start = offset
        let raw = try read(UInt64.self, what())
        guard raw <= UInt64(remaining / max(minimumSize, 1)) else {
            throw GGUFError.implausibleCount(what: what(), count: raw, offset: start)
        }
        return Int(raw)
    }

    /// Reads a length-prefixed string. `strict` rejects invalid UTF-8 (keys, names);
    /// otherwise invalid sequences are repaired so that odd vocabulary entries load.
    mutating func readString(strict: Bool, _ what: @autoclosure () -> String) throws -> String {
        let start = offset
        let length = try readCount(minimumSize: 1, what())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        offset += length
        if strict {
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw GGUFError.invalidUTF8(what: what(), offset: start)
            }
            return string
        }
        return String(decoding: slice, as: UTF8.self)
    }
}
