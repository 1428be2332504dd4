/// Errors about tensors and types shared by every module.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// A type Apus cannot compute with was met where a kernel is needed.
    case unsupportedType(GGMLType, context: String)
    /// A tensor's shape is not what the caller expected.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A row length is not a whole number of blocks of the type.
    case rowNotBlockAligned(type: GGMLType, columns: Int)

    public var description: String {
        switch self {
        case let .unsupportedType(type, context):
            return "tensor type \(type) is not supported by Apus kernels (\(context))"
        case let .shapeMismatch(name, expected, found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case let .rowNotBlockAligned(type, columns):
            return "a row of \(columns) elements is not a whole number of \(type) blocks of \(type.traits.blockSize)"
        }
    }
}
