import ApusCore

/// Why a GGUF file could not be read. Every case says where and what to do.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or mapped.
    case cannotOpen(path: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case badMagic(found: [UInt8])
    /// A version Apus does not read (it reads 2 and 3).
    case unsupportedVersion(UInt32)
    /// The file ends before a structure it announces.
    case truncated(offset: Int, need: Int, what: String)
    /// A count or length that cannot possibly fit in the file.
    case implausibleCount(what: String, count: UInt64, offset: Int)
    /// A metadata key or tensor name is not valid UTF-8.
    case invalidUTF8(what: String, offset: Int)
    /// A metadata value type id that GGUF does not define.
    case unknownValueType(UInt32, key: String)
    /// Arrays nested deeper than any real file uses.
    case nestingTooDeep(key: String)
    /// The same metadata key appears twice.
    case duplicateKey(String)
    /// The same tensor name appears twice.
    case duplicateTensor(String)
    /// A tensor type id that ggml does not define.
    case unknownTensorType(UInt32, tensor: String)
    /// A tensor with more dimensions than ggml allows, or a dimension out of range.
    case badShape(tensor: String, shape: [UInt64])
    /// A tensor whose row is not a whole number of blocks of its type.
    case rowNotBlockAligned(tensor: String, type: GGMLType, columns: Int)
    /// A tensor whose data is not aligned as `general.alignment` requires.
    case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
    /// A tensor whose data runs past the end of the file.
    case tensorOutOfBounds(tensor: String, offset: UInt64, bytes: Int, fileSize: Int)
    /// `general.alignment` is not a power of two.
    case badAlignment(UInt64)
    /// A metadata entry exists but with another type than expected.
    case wrongValueType(key: String, expected: String, found: GGUFValueType)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open GGUF file \(path): \(reason)"
        case let .badMagic(found):
            let text = found.map { String(format2hex: $0) }.joined(separator: " ")
            return "not a GGUF file: expected magic 'GGUF', found bytes \(text)"
        case let .unsupportedVersion(v):
            if v.byteSwapped == 2 || v.byteSwapped == 3 {
                return "big-endian GGUF file (version \(v.byteSwapped)): Apus reads little-endian files only"
            }
            return "unsupported GGUF version \(v): Apus reads versions 2 and 3 (re-convert the model with a current llama.cpp)"
        case let .truncated(offset, need, what):
            return "GGUF file is truncated: \(what) at byte \(offset) needs \(need) more bytes than the file has (incomplete download?)"
        case let .implausibleCount(what, count, offset):
            return "corrupt GGUF file: \(what) at byte \(offset) is \(count), more than the file could hold"
        case let .invalidUTF8(what, offset):
            return "corrupt GGUF file: \(what) at byte \(offset) is not valid UTF-8"
        case let .unknownValueType(type, key):
            return "corrupt GGUF file: metadata '\(key)' has unknown value type \(type)"
        case let .nestingTooDeep(key):
            return "corrupt GGUF file: metadata '\(key)' nests arrays too deeply"
        case let .duplicateKey(key):
            return "corrupt GGUF file: metadata key '\(key)' appears twice"
        case let .duplicateTensor(name):
            return "corrupt GGUF file: tensor '\(name)' appears twice"
        case let .unknownTensorType(type, tensor):
            return "tensor '\(tensor)' has unknown type id \(type) (a newer llama.cpp format?)"
        case let .badShape(tensor, shape):
            return "corrupt GGUF file: tensor '\(tensor)' has invalid shape \(shape)"
        case let .rowNotBlockAligned(tensor, type, columns):
            return "corrupt GGUF file: tensor '\(tensor)' rows of \(columns) are not whole \(type) blocks of \(type.traits.blockSize)"
        case let .misalignedTensor(tensor, offset, alignment):
            return "corrupt GGUF file: tensor '\(tensor)' data offset \(offset) is not a multiple of the alignment \(alignment)"
        case let .tensorOutOfBounds(tensor, offset, bytes, fileSize):
            return "GGUF file is truncated or corrupt: tensor '\(tensor)' (\(bytes) bytes at data offset \(offset)) runs past the end of the \(fileSize)-byte file"
        case let .badAlignment(value):
            return "corrupt GGUF file: general.alignment \(value) is not a power of two"
        case let .wrongValueType(key, expected, found):
            return "metadata '\(key)' has type \(found), expected \(expected)"
        }
    }
}

extension String {
    fileprivate init(format2hex byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
