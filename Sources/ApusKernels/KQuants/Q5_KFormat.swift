import ApusCore

/// Q5_K: Q4_K plus a fifth bit per value (values 0…31), same scales and mins.
///
/// Block layout (176 bytes, ggml's `block_q5_K`):
/// ```
/// offset 0   f16 d
/// offset 2   f16 dmin
/// offset 4   u8  scales[12]  eight 6-bit scales and mins, as Q4_K
/// offset 16  u8  qh[32]      fifth bits: bit 2·c of byte l for value 64·c + l,
///                            bit 2·c + 1 for value 64·c + 32 + l
/// offset 48  u8  qs[128]     low nibbles, as Q4_K
/// ```
public enum Q5_KFormat: QuantFormat {
    public static var type: GGMLType { .q5_K }

    static let blockBytes = 176
    static let scalesOffset = 4
    static let highOffset = 16
    static let quantsOffset = 48

    /// The five-bit values of one block at `base`, in element order.
    @inline(__always)
    static func unpack(_ base: UnsafeRawPointer, into values: inout [Int32]) {
        let low = (base + quantsOffset).assumingMemoryBound(to: UInt8.self)
        let high = (base + highOffset).assumingMemoryBound(to: UInt8.self)
        for chunk in 0 ..< 4 {
            for l in 0 ..< 32 {
                let byte = low[32 * chunk + l], bits = high[l]
                values[64 * chunk + l] = Int32(byte & 0xF) + ((bits >> UInt8(2 * chunk)) & 1 == 1 ? 16 : 0)
                values[64 * chunk + 32 + l] = Int32(byte >> 4) + ((bits >> UInt8(2 * chunk + 1)) & 1 == 1 ? 16 : 0)
            }
        }
    }

    /// Decodes `count` values (a multiple of 256) as ggml's `dequantize_row_q5_K`:
    /// `(d · scale) · q − (dmin · min)`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        var values = [Int32](repeating: 0, count: KQuant.superBlock)
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = KQuant.half(base, 0), dmin = KQuant.half(base, 2)
            let packed = KQuant.scalesAndMins(base + scalesOffset)
            unpack(base, into: &values)
            let out = destination + block * KQuant.superBlock
            for index in 0 ..< KQuant.superBlock {
                let subBlock = index / 32
                let scale = d * Float(KQuant.byte(packed, subBlock))
                let offset = dmin * Float(KQuant.byte(packed, 8 + subBlock))
                out[index] = scale * Float(values[index]) - offset
            }
        }
    }

    /// Mirrors ggml's `ggml_vec_dot_q5_K_q8_K_generic` (the Q4_K scheme with five-bit
    /// values): eight integer lanes per block, eight float lanes, min term per block.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var sum: Float = 0
        var values = [Int32](repeating: 0, count: KQuant.superBlock)
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            unpack(x, into: &values)
            KQuant.accumulateScaledBlock(x, y, values: values, lanes: &lanes, sum: &sum)
        }
        for lane in 0 ..< 8 { sum += lanes[lane] }
        return sum
    }

    /// The fast dot product (AVX2 on x86_64); agrees with `dotReference` up to float
    /// rounding. Activations must be Q8_K with correct `bsums`.
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
