import ApusCore

/// Q3_K: 3-bit weights (values −4…3) in 256-value super-blocks of sixteen 16-value
/// groups, each with a signed 6-bit scale.
///
/// Block layout (110 bytes, ggml's `block_q3_K`):
/// ```
/// offset 0    u8  hmask[32]  third bits: bit h·4 + j of byte l belongs to value
///                            128·h + 32·j + l; a clear bit means "subtract 4"
/// offset 32   u8  qs[64]     low two bits: byte 32·h + l holds values 128·h + 32·j + l
///                            in bits 2·j…2·j+1
/// offset 96   u8  scales[12] sixteen 6-bit scales biased by 32 (see KQuant.q3Scales)
/// offset 108  f16 d
/// ```
/// Value `i` is `d · (scale[i / 16] − 32) · q`.
public enum Q3_KFormat: QuantFormat {
    public static var type: GGMLType { .q3_K }

    static let blockBytes = 110
    static let quantsOffset = 32
    static let scalesOffset = 96
    static let scaleOffset = 108

    /// The signed 3-bit values (−4…3) of one block at `base`, in element order.
    @inline(__always)
    static func unpack(_ base: UnsafeRawPointer, into values: inout [Int32]) {
        let mask = base.assumingMemoryBound(to: UInt8.self)
        let low = (base + quantsOffset).assumingMemoryBound(to: UInt8.self)
        for index in 0 ..< KQuant.superBlock {
            let half = index / 128, j = (index % 128) / 32, l = index % 32
            let twoBits = Int32((low[32 * half + l] >> UInt8(2 * j)) & 3)
            let hasHighBit = (mask[l] >> UInt8(4 * half + j)) & 1 == 1
            values[index] = twoBits - (hasHighBit ? 0 : 4)
        }
    }

    /// Decodes `count` values (a multiple of 256) as ggml's `dequantize_row_q3_K`:
    /// `(d · (scale − 32)) · q`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        var values = [Int32](repeating: 0, count: KQuant.superBlock)
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = KQuant.half(base, scaleOffset)
            let scales = KQuant.q3Scales(base + scalesOffset)
            unpack(base, into: &values)
            let out = destination + block * KQuant.superBlock
            for index in 0 ..< KQuant.superBlock {
                let scale = d * Float(Int32(KQuant.byte(scales, index / 16)) - 32)
                out[index] = scale * Float(values[index])
            }
        }
    }

    /// Mirrors ggml's `ggml_vec_dot_q3_K_q8_K_generic`: integer sums of
    /// `(scale − 32) · q8 · q` in eight lanes per block, eight float lanes, added last.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var values = [Int32](repeating: 0, count: KQuant.superBlock)
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            unpack(x, into: &values)
            let scales = KQuant.q3Scales(x + scalesOffset)
            let q8 = (y + Q8_KFormat.quantsOffset).assumingMemoryBound(to: Int8.self)
            var integerLanes = SIMD8<Int32>(repeating: 0)
            for index in 0 ..< KQuant.superBlock {
                let scale = Int32(KQuant.byte(scales, index / 16)) - 32
                integerLanes[index % 8] &+= scale &* (Int32(q8[index]) &* values[index])
            }
            let d = KQuant.half(x, scaleOffset) * y.loadUnaligned(as: Float.self)
            for lane in 0 ..< 8 { lanes[lane] += d * Float(integerLanes[lane]) }
        }
        var sum: Float = 0
        for lane in 0 ..< 8 { sum += lanes[lane] }
        return sum
    }

    /// The fast dot product (AVX2 on x86_64); agrees with `dotReference` up to float rounding.
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
