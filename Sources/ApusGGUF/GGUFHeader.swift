import ApusCore

/// Where one tensor lives in a GGUF file and what it holds.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// Tensor name, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// Element type.
    public let type: GGMLType
    /// Dimensions, innermost first (GGML order).
    public let shape: [Int]
    /// Offset of the data from the start of the data section.
    public let offset: Int
    /// Size of the data in bytes.
    public let byteCount: Int

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The parsed front part of a GGUF file: version, metadata, tensor infos and where the
/// tensor data starts. Parsing validates everything against the buffer's length.
public struct GGUFHeader: Sendable {
    /// The default data alignment when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// ggml's limit on tensor dimensions.
    public static let maximumDimensions = 4
    /// Deepest array nesting accepted; real files nest at most once.
    static let maximumNesting = 8

    /// File format version (2 or 3).
    public let version: UInt32
    /// All metadata entries.
    public let metadata: GGUFMetadata
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Data alignment in bytes.
    public let alignment: Int
    /// Offset of the tensor data section from the start of the file.
    public let dataOffset: Int

    /// Parses and validates a header from `bytes`, which must hold the whole file so that
    /// tensor bounds can be checked.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> GGUFHeader {
        var reader = ByteReader(bytes)
        try reader.require(4, "magic")
        let magic = Array(bytes[0..<4])
        guard magic == Array("GGUF".utf8) else { throw GGUFError.badMagic(found: magic) }
        _ = try reader.read(UInt32.self, "magic")
        let version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }

        // A tensor info takes at least 8 (name) + 4 (dims) + 4 (type) + 8 (offset) bytes,
        // a metadata entry at least 8 (key) + 4 (type) + 1.
        let tensorCount = try reader.readCount(minimumSize: 24, "tensor count")
        let entryCount = try reader.readCount(minimumSize: 13, "metadata entry count")

        var metadata = GGUFMetadata()
        for _ in 0..<entryCount {
            let key = try reader.readString(strict: true, "metadata key")
            let rawType = try reader.read(UInt32.self, "type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(rawType, key: key)
            }
            let value = try readValue(type, key: key, depth: 0, &reader)
            guard metadata.insert(key, value) else { throw GGUFError.duplicateKey(key) }
        }

        let alignment = try readAlignment(metadata)
        var infos: [(name: String, type: GGMLType, shape: [Int], offset: UInt64, bytes: Int)] = []
        infos.reserveCapacity(tensorCount)
        var names = Set<String>()
        for _ in 0..<tensorCount {
            let name = try reader.readString(strict: true, "tensor name")
            guard names.insert(name).inserted else { throw GGUFError.duplicateTensor(name) }
            let dimensionCount = try reader.read(UInt32.self, "dimension count of '\(name)'")
            guard dimensionCount >= 1, dimensionCount <= UInt32(maximumDimensions) else {
                throw GGUFError.badShape(tensor: name, shape: [UInt64(dimensionCount)])
            }
            var rawShape: [UInt64] = []
            for _ in 0..<dimensionCount { rawShape.append(try reader.read(UInt64.self, "shape of '\(name)'")) }
            let rawType = try reader.read(UInt32.self, "type of '\(name)'")
            let offset = try reader.read(UInt64.self, "offset of '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.unknownTensorType(rawType, tensor: name)
            }
            let shape = try validatedShape(rawShape, name: name)
            let elements = shape.reduce(1, *)
            guard let rowBytes = type.traits.rowBytes(shape[0]) else {
                throw GGUFError.rowNotBlockAligned(tensor: name, type: type, columns: shape[0])
            }
            let (byteCount, overflow) = rowBytes.multipliedReportingOverflow(by: elements / max(shape[0], 1))
            guard !overflow else { throw GGUFError.badShape(tensor: name, shape: rawShape) }
            guard offset % UInt64(alignment) == 0 else {
                throw GGUFError.misalignedTensor(tensor: name, offset: offset, alignment: alignment)
            }
            infos.append((name, type, shape, offset, shape[0] == 0 ? 0 : byteCount))
        }

        // The data section starts at the next multiple of the alignment.
        let dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(infos.count)
        for info in infos {
            let available = UInt64(max(bytes.count - dataOffset, 0))
            guard info.offset <= available, UInt64(info.bytes) <= available - info.offset else {
                throw GGUFError.tensorOutOfBounds(tensor: info.name, offset: info.offset, bytes: info.bytes,
                                                  fileSize: bytes.count)
            }
            tensors.append(GGUFTensorInfo(name: info.name, type: info.type, shape: info.shape,
                                          offset: Int(info.offset), byteCount: info.bytes))
        }
        return GGUFHeader(version: version, metadata: metadata, tensors: tensors,
                          alignment: alignment, dataOffset: dataOffset)
    }

    private static func readAlignment(_ metadata: GGUFMetadata) throws -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let raw = value.intValue else {
            throw GGUFError.wrongValueType(key: "general.alignment", expected: "an integer", found: value.type)
        }
        guard raw > 0, raw <= 1 << 20, raw & (raw - 1) == 0 else { throw GGUFError.badAlignment(UInt64(max(raw, 0))) }
        return raw
    }

    private static func validatedShape(_ raw: [UInt64], name: String) throws -> [Int] {
        var product: Int = 1
        var shape: [Int] = []
        for dimension in raw {
            // ggml stores dimensions as int64; anything beyond 2^40 elements is corruption.
            guard dimension <= 1 << 40 else { throw GGUFError.badShape(tensor: name, shape: raw) }
            let (next, overflow) = product.multipliedReportingOverflow(by: Int(dimension))
            guard !overflow, next <= 1 << 42 else { throw GGUFError.badShape(tensor: name, shape: raw) }
            product = next
            shape.append(Int(dimension))
        }
        return shape
    }

    private static func readValue(_ type: GGUFValueType, key: String, depth: Int,
                                  _ reader: inout ByteReader) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, key))
        case .int8: return .int8(try reader.read(Int8.self, key))
        case .uint16: return .uint16(try reader.read(UInt16.self, key))
        case .int16: return .int16(try reader.read(Int16.self, key))
        case .uint32: return .uint32(try reader.read(UInt32.self, key))
        case .int32: return .int32(try reader.read(Int32.self, key))
        case .uint64: return .uint64(try reader.read(UInt64.self, key))
        case .int64: return .int64(try reader.read(Int64.self, key))
        case .float32: return .float32(try reader.readFloat(key))
        case .float64: return .float64(try reader.readDouble(key))
        case .bool: return .bool(try reader.read(UInt8.self, key) != 0)
        case .string: return .string(try reader.readString(strict: false, "value of '\(key)'"))
        case .array: return .array(try readArray(key: key, depth: depth, &reader))
        }
    }

    private static func readArray(key: String, depth: Int, _ reader: inout ByteReader) throws -> GGUFArray {
        guard depth < maximumNesting else { throw GGUFError.nestingTooDeep(key: key) }
        let rawType = try reader.read(UInt32.self, "array type of '\(key)'")
        guard let type = GGUFValueType(rawValue: rawType) else { throw GGUFError.unknownValueType(rawType, key: key) }
        let count = try reader.readCount(minimumSize: type.minimumEncodedSize, "length of array '\(key)'")
        func many<T>(_ read: (inout ByteReader) throws -> T) throws -> [T] {
            var values: [T] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try read(&reader)) }
            return values
        }
        switch type {
        case .uint8: return .uint8(try many { try $0.read(UInt8.self, key) })
        case .int8: return .int8(try many { try $0.read(Int8.self, key) })
        case .uint16: return .uint16(try many { try $0.read(UInt16.self, key) })
        case .int16: return .int16(try many { try $0.read(Int16.self, key) })
        case .uint32: return .uint32(try many { try $0.read(UInt32.self, key) })
        case .int32: return .int32(try many { try $0.read(Int32.self, key) })
        case .uint64: return .uint64(try many { try $0.read(UInt64.self, key) })
        case .int64: return .int64(try many { try $0.read(Int64.self, key) })
        case .float32: return .float32(try many { try $0.readFloat(key) })
        case .float64: return .float64(try many { try $0.readDouble(key) })
        case .bool: return .bool(try many { try $0.read(UInt8.self, key) != 0 })
        case .string: return .string(try many { try $0.readString(strict: false, "element of '\(key)'") })
        case .array: return .array(try many { try readArray(key: key, depth: depth + 1, &$0) })
        }
    }
}
