#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// Q5_0: blocks of 32 five-bit quants with one half scale; value = d·(q − 16).
///
/// Layout (22 bytes, ggml's `block_q5_0`): `f16 d` at 0, `u32 qh` at 2 (bit k is the
/// fifth bit of element k), `u8 qs[16]` at 6 (low four bits, nibble order as Q4_0).
/// Dotted against Q8_0.
public enum Q5_0Format: QuantFormat {
    public static var type: GGMLType { .q5_0 }
    static let blockBytes = 22

    /// The five-bit quant of element `j` (0…31) of the block at `base`, whose quants start at `quantsOffset`.
    @inline(__always)
    static func quant(_ base: UnsafeRawPointer, _ highBits: UInt32, _ j: Int, quantsOffset: Int) -> Int32 {
        let byte = loadUInt8(base, quantsOffset + (j & 15))
        let low = j < 16 ? byte & 0x0F : byte >> 4
        return low | Int32((highBits >> UInt32(j)) & 1) << 4
    }

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            let highBits = base.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            for j in 0..<32 {
                destination[block * 32 + j] = Float(quant(base, highBits, j, quantsOffset: 6) - 16) * d
            }
        }
    }

    /// Mirrors `ggml_vec_dot_q5_0_q8_0_generic`.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            let highBits = x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            var sumi: Int32 = 0
            for j in 0..<32 {
                sumi += (quant(x, highBits, j, quantsOffset: 6) - 16) * loadInt8(y, 2 + j)
            }
            sum += Float(sumi) * loadHalf(x, 0) * loadHalf(y, 0)
        }
        return sum
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        var accumulator = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            let products = AVX2Blocks.dotSigned(signedQuants(x), AVX2Blocks.load32(y + 2))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    #if arch(x86_64)
    /// The block's quants `q − 16` as signed bytes: the nibble with 0xF0 set where the
    /// fifth bit is clear.
    @inline(__always)
    static func signedQuants(_ x: UnsafeRawPointer) -> __m256i {
        let clear = _mm256_andnot_si256(AVX2Blocks.bitsToBytes(x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)),
                                        _mm256_set1_epi8(Int8(bitPattern: 0xF0)))
        return _mm256_or_si256(AVX2Blocks.nibbles32(x + 6), clear)
    }
    #endif

    #if arch(x86_64)
    /// Four rows against one activation row, each summed exactly as `dot` sums it.
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        var accumulator0 = _mm256_setzero_ps(), accumulator1 = _mm256_setzero_ps()
        var accumulator2 = _mm256_setzero_ps(), accumulator3 = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            // Lane 2r: row r's d·d_y (a product of two halves, exact).
            let scales = _mm256_mul_ps(AVX2Blocks.fourRowHalfPairs(x, rowBytes: rowBytes),
                                       _mm256_cvtph_ps(_mm_set1_epi16(y.loadUnaligned(as: Int16.self))))
            let q8 = AVX2Blocks.load32(y + 2)
            accumulator0 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 0),
                                           AVX2Blocks.dotSigned(signedQuants(x), q8), accumulator0)
            accumulator1 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 2),
                                           AVX2Blocks.dotSigned(signedQuants(x + rowBytes), q8), accumulator1)
            accumulator2 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 4),
                                           AVX2Blocks.dotSigned(signedQuants(x + 2 * rowBytes), q8), accumulator2)
            accumulator3 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 6),
                                           AVX2Blocks.dotSigned(signedQuants(x + 3 * rowBytes), q8), accumulator3)
        }
        return AVX2Blocks.horizontalSums(accumulator0, accumulator1, accumulator2, accumulator3)
    }
    #endif
}
