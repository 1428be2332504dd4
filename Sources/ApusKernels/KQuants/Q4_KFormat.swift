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

    /// Apus's one order for a Q4_K row, the order of llama.cpp's repacked four-token kernel
    /// (`ggml_gemm_q4_K_8x8_q8_K`), which computes its batched products, prompts included:
    /// per super-block, for each 64-value chunk j = 0…3 in turn, the chunk's two exact
    /// integer sums, `I_j = Σ scale·q·a` over its two 32-value sub-blocks and
    /// `M_j = Σ min·bsum` over its four 16-value groups, folded into two float accumulators
    /// with one FMA each, `acc += I_j·(d·d_a)` and `accMin += M_j·(dmin·d_a)`; the result is
    /// `acc − accMin`. So Apus's prompt logits equal llama.cpp AVX2's bit for bit (what
    /// llama-perplexity's KL-divergence base holds). llama.cpp's one-token kernel
    /// (`ggml_gemv_q4_K_8x8_q8_K`, its decode) folds each super-block once instead; Apus does
    /// not follow it, so that decoding and prompts share one order, and the three extra FMAs
    /// per super-block cost little in memory-bound decoding. The single dot, `dotFourRows`
    /// and the batched kernels all sum in this order, whatever the batch.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var accumulator: Float = 0, minAccumulator: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let quants = (x + quantsOffset).assumingMemoryBound(to: UInt8.self)
            let q8 = (y + Q8_KFormat.quantsOffset).assumingMemoryBound(to: Int8.self)
            let packed = KQuant.scalesAndMins(x + scalesOffset)
            let d = KQuant.half(x, 0) * y.loadUnaligned(as: Float.self)
            let dmin = KQuant.half(x, 2) * y.loadUnaligned(as: Float.self)
            for chunk in 0 ..< 4 {
                var integer: Int32 = 0, minimum: Int32 = 0
                for index in 64 * chunk ..< 64 * (chunk + 1) {
                    let byte = quants[32 * (index / 64) + index % 32]
                    let q = Int32(index % 64 < 32 ? byte & 0xF : byte >> 4)
                    integer &+= Int32(KQuant.byte(packed, index / 32)) &* q &* Int32(q8[index])
                }
                for group in 4 * chunk ..< 4 * (chunk + 1) {
                    let groupSum = Int32(y.loadUnaligned(fromByteOffset: Q8_KFormat.sumsOffset + 2 * group, as: Int16.self))
                    minimum &+= groupSum &* Int32(KQuant.byte(packed, 8 + group / 2))
                }
                accumulator = accumulator.addingProduct(Float(integer), d)
                minAccumulator = minAccumulator.addingProduct(Float(minimum), dmin)
            }
        }
        return accumulator - minAccumulator
    }

    #if arch(x86_64)
    /// Four rows in `dotReference`'s order, each activation super-block read once for all four.
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        dotFourRowsAVX2(weights, rowBytes: rowBytes, activations, count: count)
    }
    #endif

    /// The fast dot product (AVX2 on x86_64), equal to `dotReference` bit for bit.
    /// Activations must be Q8_K with correct `bsums`, as `Q8_KFormat.quantize` writes them.
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
