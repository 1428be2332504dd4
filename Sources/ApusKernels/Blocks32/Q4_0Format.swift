#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// Q4_0: blocks of 32 four-bit quants with one half scale; value = d·(q − 8).
///
/// Layout (18 bytes, ggml's `block_q4_0`): `f16 d` at 0, `u8 qs[16]` at 2; byte j holds
/// element j in its low nibble and element j+16 in its high nibble. Dotted against Q8_0.
public enum Q4_0Format: QuantizableFormat {
    public static var type: GGMLType { .q4_0 }
    static let blockBytes = 18

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            for j in 0..<16 {
                let byte = loadUInt8(base, 2 + j)
                destination[block * 32 + j] = Float((byte & 0x0F) - 8) * d
                destination[block * 32 + j + 16] = Float((byte >> 4) - 8) * d
            }
        }
    }

    /// Mirrors `ggml_vec_dot_q4_0_q8_0_generic`.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            var sumi0: Int32 = 0
            var sumi1: Int32 = 0
            for j in 0..<16 {
                let byte = loadUInt8(x, 2 + j)
                sumi0 += ((byte & 0x0F) - 8) * loadInt8(y, 2 + j)
                sumi1 += ((byte >> 4) - 8) * loadInt8(y, 2 + j + 16)
            }
            sum += Float(sumi0 + sumi1) * loadHalf(x, 0) * loadHalf(y, 0)
        }
        return sum
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        var accumulator = _mm256_setzero_ps()
        let eight = _mm256_set1_epi8(8)
        for block in 0..<(count / 32) {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_0Format.blockBytes
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            let quants = _mm256_sub_epi8(AVX2Blocks.nibbles32(x + 2), eight)
            let products = AVX2Blocks.dotSigned(quants, AVX2Blocks.load32(y + 2))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    /// Mirrors `quantize_row_q4_0_ref`: `d = max/−8` where `max` is the value of largest
    /// magnitude, quants `min(15, trunc(x/d + 8.5))`.
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            var amax: Float = 0
            var extreme: Float = 0
            for j in 0..<32 where amax < abs(x[j]) {
                amax = abs(x[j])
                extreme = x[j]
            }
            let d = extreme / -8
            let inverse: Float = d != 0 ? 1 / d : 0
            storeHalf(d, out, 0)
            for j in 0..<16 {
                let low = min(15, truncatingToInt8(x[j] * inverse + 8.5))
                let high = min(15, truncatingToInt8(x[j + 16] * inverse + 8.5))
                out.storeBytes(of: UInt8(truncatingIfNeeded: low) & 0x0F | UInt8(truncatingIfNeeded: high) << 4,
                               toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }

    /// The same as `quantizeReference`, as on every ggml CPU backend: weights are
    /// quantized offline, never on the hot path.
    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        quantizeReference(source, destination, count: count)
    }
}
