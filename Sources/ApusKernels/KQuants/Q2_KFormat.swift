import ApusCore

/// Q2_K: 2-bit weights in 256-value super-blocks of sixteen 16-value groups, each with a
/// 4-bit scale and a 4-bit min.
///
/// Block layout (84 bytes, ggml's `block_q2_K`):
/// ```
/// offset 0   u8  scales[16]  per group: scale in the low nibble, min in the high nibble
/// offset 16  u8  qs[64]      byte 32·h + l holds values 128·h + 32·j + l in bits 2·j…2·j+1
/// offset 80  f16 d           super-scale of the scales
/// offset 82  f16 dmin        super-scale of the mins
/// ```
/// Value `i` in group `g` is `(d · scale[g]) · q − dmin · min[g]`.
public enum Q2_KFormat: QuantFormat {
    public static var type: GGMLType { .q2_K }

    static let blockBytes = 84
    static let quantsOffset = 16
    static let scaleOffset = 80
    static let minScaleOffset = 82

    /// The 2-bit value `index` (0…255) of the block at `base`.
    @inline(__always)
    static func quant(_ base: UnsafeRawPointer, _ index: Int) -> Int32 {
        let half = index / 128, j = (index % 128) / 32, l = index % 32
        return Int32((base.load(fromByteOffset: quantsOffset + 32 * half + l, as: UInt8.self) >> UInt8(2 * j)) & 3)
    }

    /// Decodes `count` values (a multiple of 256) as ggml's `dequantize_row_q2_K`:
    /// `(d · scale) · q − (dmin · min)`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = KQuant.half(base, scaleOffset), dmin = KQuant.half(base, minScaleOffset)
            let out = destination + block * KQuant.superBlock
            for index in 0 ..< KQuant.superBlock {
                let packed = base.load(fromByteOffset: index / 16, as: UInt8.self)
                let scale = d * Float(packed & 0xF), offset = dmin * Float(packed >> 4)
                out[index] = scale * Float(quant(base, index)) - offset
            }
        }
    }

    /// Mirrors ggml's `ggml_vec_dot_q2_K_q8_K_generic`: per block
    /// `(dy · d) · Σ scale · q8 · q − (dy · dmin) · Σ bsums · min`, summed in block order.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            var minSum: Int32 = 0
            for group in 0 ..< 16 {
                let groupSum = Int32(y.loadUnaligned(fromByteOffset: Q8_KFormat.sumsOffset + 2 * group, as: Int16.self))
                minSum &+= groupSum &* Int32(x.load(fromByteOffset: group, as: UInt8.self) >> 4)
            }
            let q8 = (y + Q8_KFormat.quantsOffset).assumingMemoryBound(to: Int8.self)
            var integerSum: Int32 = 0
            for index in 0 ..< KQuant.superBlock {
                let scale = Int32(x.load(fromByteOffset: index / 16, as: UInt8.self) & 0xF)
                integerSum &+= scale &* (Int32(q8[index]) &* quant(x, index))
            }
            let activationScale = y.loadUnaligned(as: Float.self)
            let d = activationScale * KQuant.half(x, scaleOffset)
            let dmin = activationScale * KQuant.half(x, minScaleOffset)
            sum += d * Float(integerSum) - dmin * Float(minSum)
        }
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
