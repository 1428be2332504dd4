import ApusCore

/// Q4_K: 4-bit weights in 256-value super-blocks of eight 32-value sub-blocks, each with
/// its own 6-bit scale and 6-bit min; the workhorse of Q4_K_M models.
///
/// Block layout (144 bytes, ggml's `block_q4_K`):
/// ```
/// offset 0   f16 d           super-scale of the sub-block scales
/// offset 2   f16 dmin        super-scale of the sub-block mins
/// offset 4   u8  scales[12]  eight 6-bit scales and eight 6-bit mins (see KQuant.scalesAndMins)
/// offset 16  u8  qs[128]     nibbles; byte 32·c + l holds value 64·c + l (low) and 64·c + 32 + l (high)
/// ```
/// Value `i` in sub-block `s` is `d · scale[s] · q − dmin · min[s]`.
public enum Q4_KFormat: QuantFormat {
    public static var type: GGMLType { .q4_K }

    static let blockBytes = 144
    static let scalesOffset = 4
    static let quantsOffset = 16

    /// Decodes `count` values (a multiple of 256) in ggml's `dequantize_row_q4_K` order of
    /// operations: `(d · scale) · q − (dmin · min)`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = KQuant.half(base, 0), dmin = KQuant.half(base, 2)
            let packed = KQuant.scalesAndMins(base + scalesOffset)
            let quants = (base + quantsOffset).assumingMemoryBound(to: UInt8.self)
            var out = destination + block * KQuant.superBlock
            for chunk in 0 ..< 4 {
                let q = quants + 32 * chunk
                let scaleLow = d * Float(KQuant.byte(packed, 2 * chunk))
                let minLow = dmin * Float(KQuant.byte(packed, 8 + 2 * chunk))
                let scaleHigh = d * Float(KQuant.byte(packed, 2 * chunk + 1))
                let minHigh = dmin * Float(KQuant.byte(packed, 8 + 2 * chunk + 1))
                for l in 0 ..< 32 { out[l] = scaleLow * Float(q[l] & 0xF) - minLow }
                for l in 0 ..< 32 { out[32 + l] = scaleHigh * Float(q[l] >> 4) - minHigh }
                out += 64
            }
        }
    }

    /// Mirrors ggml's `ggml_vec_dot_q4_K_q8_K_generic`: integer sums in eight lanes per
    /// block, scaled into eight float lanes, the min term `dmin · Σ bsums · min` subtracted
    /// per block, lanes added last. Reads the activations' `bsums`.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var sum: Float = 0
        var unpacked = [Int32](repeating: 0, count: KQuant.superBlock)
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let quants = (x + quantsOffset).assumingMemoryBound(to: UInt8.self)
            for chunk in 0 ..< 4 {
                for l in 0 ..< 32 {
                    unpacked[64 * chunk + l] = Int32(quants[32 * chunk + l] & 0xF)
                    unpacked[64 * chunk + 32 + l] = Int32(quants[32 * chunk + l] >> 4)
                }
            }
            KQuant.accumulateScaledBlock(x, y, values: unpacked, lanes: &lanes, sum: &sum)
        }
        for lane in 0 ..< 8 { sum += lanes[lane] }
        return sum
    }

    /// The fast dot product (AVX2 on x86_64); agrees with `dotReference` up to float
    /// rounding (its float lanes are split differently). Activations must be Q8_K with
    /// correct `bsums`, as `Q8_KFormat.quantize` writes them.
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
