#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// Q5_1: blocks of 32 five-bit quants with a half scale and a half minimum; value = d·q + m.
///
/// Layout (24 bytes, ggml's `block_q5_1`): `f16 d` at 0, `f16 m` at 2, `u32 qh` at 4,
/// `u8 qs[16]` at 8 (bit order as Q5_0). Dotted against Q8_1.
public enum Q5_1Format: QuantFormat {
    public static var type: GGMLType { .q5_1 }
    static let blockBytes = 24

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            let m = loadHalf(base, 2)
            let highBits = base.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            for j in 0..<32 {
                destination[block * 32 + j] = Float(Q5_0Format.quant(base, highBits, j, quantsOffset: 8)) * d + m
            }
        }
    }

    /// Mirrors `ggml_vec_dot_q5_1_q8_1_generic`: `(dx·dy)·sumi + mx·sy` per block.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_1Format.blockBytes
            let highBits = x.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            var sumi: Int32 = 0
            for j in 0..<32 {
                sumi += Q5_0Format.quant(x, highBits, j, quantsOffset: 8) * loadInt8(y, 4 + j)
            }
            sum += (loadHalf(x, 0) * loadHalf(y, 0)) * Float(sumi) + loadHalf(x, 2) * loadHalf(y, 2)
        }
        return sum
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        var accumulator = _mm256_setzero_ps()
        var minimumTerms: Float = 0
        let fifthBit = _mm256_set1_epi8(0x10)
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_1Format.blockBytes
            minimumTerms += loadHalf(x, 2) * loadHalf(y, 2)
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            let high = _mm256_and_si256(AVX2Blocks.bitsToBytes(x.loadUnaligned(fromByteOffset: 4, as: UInt32.self)), fifthBit)
            let quants = _mm256_or_si256(AVX2Blocks.nibbles32(x + 8), high)
            let products = AVX2Blocks.dotUnsigned(quants, AVX2Blocks.load32(y + 4))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator) + minimumTerms
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
