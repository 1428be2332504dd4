import ApusCore
#if canImport(Glibc)
import Glibc
#endif

/// Builds GGUF files: tiny models for tests, and deliberately corrupt variants.
///
/// Entries and tensors are written in the order they are added; tensor data is padded
/// to the alignment. `general.alignment` is written when the alignment is not the default.
public struct GGUFWriter: Sendable {
    /// Format version written to the header.
    public var version: UInt32
    /// Data alignment in bytes.
    public let alignment: Int
    private var entries: [(String, GGUFValue)] = []
    private var tensors: [(name: String, type: GGMLType, shape: [Int], data: [UInt8])] = []

    /// A writer for a version-`version` file with the given data alignment.
    public init(version: UInt32 = 3, alignment: Int = GGUFHeader.defaultAlignment) {
        self.version = version
        self.alignment = alignment
        if alignment != GGUFHeader.defaultAlignment {
            entries.append(("general.alignment", .uint32(UInt32(alignment))))
        }
    }

    /// Adds a metadata entry.
    public mutating func add(_ key: String, _ value: GGUFValue) { entries.append((key, value)) }

    /// Adds a tensor. `shape` is innermost first; `data` must be exactly its size in `type`.
    public mutating func addTensor(name: String, type: GGMLType, shape: [Int], data: [UInt8]) throws {
        let rows = shape.dropFirst().reduce(1, *)
        guard let rowBytes = type.traits.rowBytes(shape.first ?? 0) else {
            throw TensorError.rowNotBlockAligned(type: type, columns: shape.first ?? 0)
        }
        guard rowBytes * rows == data.count else {
            throw TensorError.shapeMismatch(name: name, expected: shape, found: [data.count])
        }
        tensors.append((name, type, shape, data))
    }

    /// The complete file.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: Array("GGUF".utf8))
        append(version, to: &out)
        append(UInt64(tensors.count), to: &out)
        append(UInt64(entries.count), to: &out)
        for (key, value) in entries {
            appendString(key, to: &out)
            append(value.type.rawValue, to: &out)
            appendValue(value, to: &out)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            offsets.append(offset)
            offset = padded(offset + tensor.data.count)
        }
        for (tensor, tensorOffset) in zip(tensors, offsets) {
            appendString(tensor.name, to: &out)
            append(UInt32(tensor.shape.count), to: &out)
            for dimension in tensor.shape { append(UInt64(dimension), to: &out) }
            append(tensor.type.rawValue, to: &out)
            append(UInt64(tensorOffset), to: &out)
        }
        out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        for tensor in tensors {
            out.append(contentsOf: tensor.data)
            out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        }
        return out
    }

    /// Writes the file to `path`.
    public func write(to path: String) throws {
        let bytes = serialize()
        guard let file = fopen(path, "wb") else {
            throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw GGUFError.cannotOpen(path: path, reason: "short write: \(String(cString: strerror(errno)))")
        }
    }

    private func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private func appendString(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }

    private func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case let .uint8(v): append(v, to: &out)
        case let .int8(v): append(v, to: &out)
        case let .uint16(v): append(v, to: &out)
        case let .int16(v): append(v, to: &out)
        case let .uint32(v): append(v, to: &out)
        case let .int32(v): append(v, to: &out)
        case let .uint64(v): append(v, to: &out)
        case let .int64(v): append(v, to: &out)
        case let .float32(v): append(v.bitPattern, to: &out)
        case let .float64(v): append(v.bitPattern, to: &out)
        case let .bool(v): append(UInt8(v ? 1 : 0), to: &out)
        case let .string(v): appendString(v, to: &out)
        case let .array(a): appendArray(a, to: &out)
        }
    }

    private func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
        append(array.elementType.rawValue, to: &out)
        append(UInt64(array.count), to: &out)
        switch array {
        case let .uint8(a): a.forEach { append($0, to: &out) }
        case let .int8(a): a.forEach { append($0, to: &out) }
        case let .uint16(a): a.forEach { append($0, to: &out) }
        case let .int16(a): a.forEach { append($0, to: &out) }
        case let .uint32(a): a.forEach { append($0, to: &out) }
        case let .int32(a): a.forEach { append($0, to: &out) }
        case let .uint64(a): a.forEach { append($0, to: &out) }
        case let .int64(a): a.forEach { append($0, to: &out) }
        case let .float32(a): a.forEach { append($0.bitPattern, to: &out) }
        case let .float64(a): a.forEach { append($0.bitPattern, to: &out) }
        case let .bool(a): a.forEach { append(UInt8($0 ? 1 : 0), to: &out) }
        case let .string(a): a.forEach { appendString($0, to: &out) }
        case let .array(a): a.forEach { appendArray($0, to: &out) }
        }
    }
}
