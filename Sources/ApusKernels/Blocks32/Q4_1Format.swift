#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// Q4_1: blocks of 32 four-bit quants with a half scale and a half minimum; value = d·q + m.
///
/// Layout (20 bytes, ggml's `block_q4_1`): `f16 d` at 0, `f16 m` at 2, `u8 qs[16]` at 4
/// (nibble order as Q4_0). Dotted against Q8_1, whose `s` carries the `m` term.
public enum Q4_1Format: QuantizableFormat {
    public static var type: GGMLType { .q4_1 }
    static let blockBytes = 20

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            let m = loadHalf(base, 2)
            for j in 0..<16 {
                let byte = loadUInt8(base, 4 + j)
                destination[block * 32 + j] = Float(byte & 0x0F) * d + m
                destination[block * 32 + j + 16] = Float(byte >> 4) * d + m
            }
        }
    }

    /// Mirrors `ggml_vec_dot_q4_1_q8_1_generic`: `(dx·dy)·sumi + mx·sy` per block.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_1Format.blockBytes
            var sumi0: Int32 = 0
            var sumi1: Int32 = 0
            for j in 0..<16 {
                let byte = loadUInt8(x, 4 + j)
                sumi0 += (byte & 0x0F) * loadInt8(y, 4 + j)
                sumi1 += (byte >> 4) * loadInt8(y, 4 + j + 16)
            }
            sum += (loadHalf(x, 0) * loadHalf(y, 0)) * Float(sumi0 + sumi1) + loadHalf(x, 2) * loadHalf(y, 2)
        }
        return sum
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        var accumulator = _mm256_setzero_ps()
        var minimumTerms: Float = 0
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_1Format.blockBytes
            minimumTerms += loadHalf(x, 2) * loadHalf(y, 2)
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            let products = AVX2Blocks.dotUnsigned(AVX2Blocks.nibbles32(x + 4), AVX2Blocks.load32(y + 4))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator) + minimumTerms
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    #if arch(x86_64)
    /// Four rows against one activation row, each summed exactly as `dot` sums it: per
    /// row the same FMA chain over blocks and the same running sum of `m·s` (kept in the
    /// odd lanes of one vector; products of two halves are exact in Float, so one vector
    /// multiply gives every row's `d·d_y` and `m·s_y` bit for bit).
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        var accumulator0 = _mm256_setzero_ps(), accumulator1 = _mm256_setzero_ps()
        var accumulator2 = _mm256_setzero_ps(), accumulator3 = _mm256_setzero_ps()
        var minimumTerms = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_1Format.blockBytes
            // Lane 2r: row r's d·d_y; lane 2r + 1: its m·s_y.
            let scales = _mm256_mul_ps(AVX2Blocks.fourRowHalfPairs(x, rowBytes: rowBytes),
                                       _mm256_cvtph_ps(_mm_set1_epi32(y.loadUnaligned(as: Int32.self))))
            minimumTerms = _mm256_add_ps(minimumTerms, scales)
            let q8 = AVX2Blocks.load32(y + 4)
            accumulator0 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 0),
                                           AVX2Blocks.dotUnsigned(AVX2Blocks.nibbles32(x + 4), q8), accumulator0)
            accumulator1 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 2),
                                           AVX2Blocks.dotUnsigned(AVX2Blocks.nibbles32(x + rowBytes + 4), q8), accumulator1)
            accumulator2 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 4),
                                           AVX2Blocks.dotUnsigned(AVX2Blocks.nibbles32(x + 2 * rowBytes + 4), q8), accumulator2)
            accumulator3 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 6),
                                           AVX2Blocks.dotUnsigned(AVX2Blocks.nibbles32(x + 3 * rowBytes + 4), q8), accumulator3)
        }
        let minimums = unsafeBitCast(minimumTerms, to: SIMD8<Float>.self)
        return AVX2Blocks.horizontalSums(accumulator0, accumulator1, accumulator2, accumulator3)
            + SIMD4(minimums[1], minimums[3], minimums[5], minimums[7])
    }
    #endif

    /// Mirrors `quantize_row_q4_1_ref`: `d = (max − min)/15`, `m = min`,
    /// quants `min(15, trunc((x − min)/d + 0.5))`.
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            var low = Float.greatestFiniteMagnitude
            var high = -Float.greatestFiniteMagnitude
            for j in 0..<32 {
                if x[j] < low { low = x[j] }
                if x[j] > high { high = x[j] }
            }
            let d = (high - low) / 15
            let inverse: Float = d != 0 ? 1 / d : 0
            storeHalf(d, out, 0)
            storeHalf(low, out, 2)
            for j in 0..<16 {
                let q0 = min(15, truncatingToInt8((x[j] - low) * inverse + 0.5))
                let q1 = min(15, truncatingToInt8((x[j + 16] - low) * inverse + 0.5))
                out.storeBytes(of: UInt8(truncatingIfNeeded: q0) & 0x0F | UInt8(truncatingIfNeeded: q1) << 4,
                               toByteOffset: 4 + j, as: UInt8.self)
            }
        }
    }

    /// The same as `quantizeReference` (weights are quantized offline, as in ggml).
    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        quantizeReference(source, destination, count: count)
    }
}
