import ApusCore

/// The kernels for one weight format: how to decode it and how to dot a row of it
/// against a row of quantized activations.
///
/// Every format has a scalar reference (plain loops) and a fast version that must agree
/// with it. The numerics contract: each output is computed in one fixed float order that
/// depends only on the shapes, never on the batch size, the row's place in a batch, the
/// threads or the instruction set. Integer sums inside a block are exact in any order, so
/// each block (or super-block, or Q4_K's 64-value chunk) is folded into float once, in the
/// order `dotReference` spells out, and the single dot, `dotFourRows` and the batched kernels all use it. Rows
/// are whole numbers of blocks: `count` is a multiple of `type.traits.blockSize`.
/// Conformers are caseless enums; call sites are generic over the format so each
/// specialisation is concrete (no existentials in hot loops).
public protocol QuantFormat {
    /// The GGML type of the weights these kernels read.
    static var type: GGMLType { get }
    /// Decodes `count` values starting at `source` into `destination` (scalar reference).
    static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int)
    /// Dot product of a weight row and an activation row stored in
    /// `type.traits.dotActivationType`'s block format (scalar reference).
    static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float
    /// The fast (SIMD) dot product; agrees with `dotReference` up to float rounding.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float
    /// The dots of the four weight rows at `weights + r·rowBytes` (r = 0…3; `rowBytes` is
    /// the distance between them, any multiple of the row size) with one activation row,
    /// lane r equal to `dot(row r, activations, count:)` bit for bit. Matrix-vector products
    /// (decoding) go through it: a format that interleaves the four rows loads and converts
    /// each activation block once for all four and keeps four independent accumulator
    /// chains, while every row still sums in its own order. The default is four single dots.
    static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                            count: Int) -> SIMD4<Float>
}

extension QuantFormat {
    @inline(__always)
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        SIMD4(dot(weights, activations, count: count),
              dot(weights + rowBytes, activations, count: count),
              dot(weights + 2 * rowBytes, activations, count: count),
              dot(weights + 3 * rowBytes, activations, count: count))
    }
}

/// A format Apus can also write: activations (Q8_0, Q8_1, Q8_K) and the weight formats
/// used to build test models (Q4_0, Q4_1, Q8_0, Q4_K).
public protocol QuantizableFormat: QuantFormat {
    /// Encodes `count` floats into blocks at `destination` (scalar reference, matching
    /// ggml's `quantize_row_*_ref`).
    static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int)
    /// The fast encoder; produces the same bytes as `quantizeReference`.
    static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int)
}

/// A matrix-matrix kernel for batches of tokens (prompt processing, batched decoding): a
/// block of weight rows times every activation row, with each weight block unpacked once
/// for the whole batch.
protocol BatchedProduct: QuantFormat {
    /// Writes `dot(weights row r, activation row t)` to
    /// `output[t · weights.rows + r]` for every r in `rows` and t in `0..<tokens`;
    /// activation row t starts at `activations + t·activationRowBytes`. Each result equals
    /// that dot bit for bit (the same float operations in the same order).
    static func multiply(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                         activationRowBytes: Int, tokens: Int, into output: UnsafeMutablePointer<Float>)
}
