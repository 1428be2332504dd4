/// A GGML tensor element type, with the numeric ids used in GGUF files.
///
/// The raw values are the on-disk ids (`ggml_type` in ggml.h). Every id a current GGUF
/// file may carry is listed so that a reader can size and validate any tensor; which of
/// them Apus can compute with is `GGMLTypeTraits.isSupportedByKernels`.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39

    /// The name llama.cpp prints for this type (`Q4_K`, `F16`, …).
    public var description: String { traits.name }

    /// Size and pairing facts for this type.
    public var traits: GGMLTypeTraits { GGMLTypeTraits.table[self]! }
}

/// Facts about one GGML type, kept apart from the kernels that use them.
public struct GGMLTypeTraits: Sendable {
    /// Display name as llama.cpp prints it.
    public let name: String
    /// Number of elements in one block (1 for plain float/int types).
    public let blockSize: Int
    /// Bytes one block occupies in a file.
    public let bytesPerBlock: Int
    /// The activation format a weight row of this type is dotted against
    /// (as in ggml: `Q8_1` for Q4_1/Q5_1, `Q8_0` for the other 32-element quants,
    /// `Q8_K` for K-quants, `F32` for float types);
    /// nil where Apus has no kernel for the type.
    public let dotActivationType: GGMLType?
    /// Whether Apus has dequantize and dot-product kernels for this type.
    public var isSupportedByKernels: Bool { dotActivationType != nil }
    /// Whether the type is a block quantization (as opposed to a plain scalar type).
    public var isQuantized: Bool { blockSize > 1 }

    /// Bytes needed for a row of `elements` values, or nil if `elements` is not a
    /// whole number of blocks.
    public func rowBytes(_ elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// The table of every known type.
    public static let table: [GGMLType: GGMLTypeTraits] = [
        .f32: .init(name: "F32", blockSize: 1, bytesPerBlock: 4, dotActivationType: .f32),
        .f16: .init(name: "F16", blockSize: 1, bytesPerBlock: 2, dotActivationType: .f32),
        .bf16: .init(name: "BF16", blockSize: 1, bytesPerBlock: 2, dotActivationType: .f32),
        .q4_0: .init(name: "Q4_0", blockSize: 32, bytesPerBlock: 18, dotActivationType: .q8_0),
        .q4_1: .init(name: "Q4_1", blockSize: 32, bytesPerBlock: 20, dotActivationType: .q8_1),
        .q5_0: .init(name: "Q5_0", blockSize: 32, bytesPerBlock: 22, dotActivationType: .q8_0),
        .q5_1: .init(name: "Q5_1", blockSize: 32, bytesPerBlock: 24, dotActivationType: .q8_1),
        .q8_0: .init(name: "Q8_0", blockSize: 32, bytesPerBlock: 34, dotActivationType: .q8_0),
        .q8_1: .init(name: "Q8_1", blockSize: 32, bytesPerBlock: 36, dotActivationType: .q8_0),
        .q2_K: .init(name: "Q2_K", blockSize: 256, bytesPerBlock: 84, dotActivationType: .q8_K),
        .q3_K: .init(name: "Q3_K", blockSize: 256, bytesPerBlock: 110, dotActivationType: .q8_K),
        .q4_K: .init(name: "Q4_K", blockSize: 256, bytesPerBlock: 144, dotActivationType: .q8_K),
        .q5_K: .init(name: "Q5_K", blockSize: 256, bytesPerBlock: 176, dotActivationType: .q8_K),
        .q6_K: .init(name: "Q6_K", blockSize: 256, bytesPerBlock: 210, dotActivationType: .q8_K),
        .q8_K: .init(name: "Q8_K", blockSize: 256, bytesPerBlock: 292, dotActivationType: .q8_K),
        .iq2_xxs: .init(name: "IQ2_XXS", blockSize: 256, bytesPerBlock: 66, dotActivationType: nil),
        .iq2_xs: .init(name: "IQ2_XS", blockSize: 256, bytesPerBlock: 74, dotActivationType: nil),
        .iq3_xxs: .init(name: "IQ3_XXS", blockSize: 256, bytesPerBlock: 98, dotActivationType: nil),
        .iq1_s: .init(name: "IQ1_S", blockSize: 256, bytesPerBlock: 50, dotActivationType: nil),
        .iq4_nl: .init(name: "IQ4_NL", blockSize: 32, bytesPerBlock: 18, dotActivationType: nil),
        .iq3_s: .init(name: "IQ3_S", blockSize: 256, bytesPerBlock: 110, dotActivationType: nil),
        .iq2_s: .init(name: "IQ2_S", blockSize: 256, bytesPerBlock: 82, dotActivationType: nil),
        .iq4_xs: .init(name: "IQ4_XS", blockSize: 256, bytesPerBlock: 136, dotActivationType: nil),
        .i8: .init(name: "I8", blockSize: 1, bytesPerBlock: 1, dotActivationType: nil),
        .i16: .init(name: "I16", blockSize: 1, bytesPerBlock: 2, dotActivationType: nil),
        .i32: .init(name: "I32", blockSize: 1, bytesPerBlock: 4, dotActivationType: nil),
        .i64: .init(name: "I64", blockSize: 1, bytesPerBlock: 8, dotActivationType: nil),
        .f64: .init(name: "F64", blockSize: 1, bytesPerBlock: 8, dotActivationType: nil),
        .iq1_m: .init(name: "IQ1_M", blockSize: 256, bytesPerBlock: 56, dotActivationType: nil),
        .tq1_0: .init(name: "TQ1_0", blockSize: 256, bytesPerBlock: 54, dotActivationType: nil),
        .tq2_0: .init(name: "TQ2_0", blockSize: 256, bytesPerBlock: 66, dotActivationType: nil),
        .mxfp4: .init(name: "MXFP4", blockSize: 32, bytesPerBlock: 17, dotActivationType: nil),
    ]
}
