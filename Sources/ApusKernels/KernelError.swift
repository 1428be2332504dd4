import ApusCore

/// Errors from setting up a matrix product: wrong types, shapes or buffer sizes.
public enum KernelError: Error, CustomStringConvertible, Equatable {
    /// No dot-product kernel exists for this weight type.
    case unsupportedWeightType(GGMLType)
    /// A weight row is not a whole number of blocks of its type.
    case rowNotBlockAligned(type: GGMLType, columns: Int)
    /// The weight tensor is not a 2-D matrix, or its bytes do not cover its shape.
    case badWeightShape(name: String, shape: [Int], byteCount: Int)
    /// Activations were quantized for a different weight type or row length.
    case activationMismatch(expected: GGMLType, columns: Int, found: GGMLType, foundColumns: Int)
    /// A buffer cannot hold what was asked of it.
    case bufferTooSmall(what: String, neededBytes: Int, capacityBytes: Int)
    /// `APUS_ISA` names no instruction-set path.
    case unknownInstructionSet(String)
    /// The instruction-set path asked for cannot run on this CPU or OS.
    case instructionSetUnavailable(String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedWeightType(type):
            return "no matrix kernel for weights of type \(type); supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 and the K-quants built into this version"
        case let .rowNotBlockAligned(type, columns):
            return "a row of \(columns) values is not a whole number of \(type) blocks of \(type.traits.blockSize); the tensor is malformed"
        case let .badWeightShape(name, shape, byteCount):
            return "weight '\(name)' with shape \(shape) and \(byteCount) bytes is not a valid 2-D matrix of its type"
        case let .activationMismatch(expected, columns, found, foundColumns):
            return "activations are \(found) rows of \(foundColumns) values, but the weights need \(expected) rows of \(columns); quantize them for this weight type first"
        case let .unknownInstructionSet(name):
            return "APUS_ISA=\(name) is not an instruction-set path; use avx2, avx512 or amx (or unset it for the best this CPU has)"
        case let .instructionSetUnavailable(name, reason):
            return "cannot use the \(name) kernels: \(reason); unset APUS_ISA or pick a path this CPU has"
        case let .bufferTooSmall(what, needed, capacity):
            return "\(what) needs \(needed) bytes but holds \(capacity); size it for the largest batch at load time"
        }
    }
}
