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
        let highNibble = _mm256_set1_epi8(Int8(bitPattern: 0xF0))
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            // q − 16 as a signed byte is the nibble with 0xF0 set where the fifth bit is clear.
            let clear = _mm256_andnot_si256(AVX2Blocks.bitsToBytes(x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)), highNibble)
            let quants = _mm256_or_si256(AVX2Blocks.nibbles32(x + 6), clear)
            let products = AVX2Blocks.dotSigned(quants, AVX2Blocks.load32(y + 2))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
