import ApusCore

/// Q6_K: 6-bit weights in 256-value super-blocks of sixteen 16-value groups, each with a
/// signed 8-bit scale; used for the output and some FFN tensors of Q4_K_M models.
///
/// Block layout (210 bytes, ggml's `block_q6_K`):
/// ```
/// offset 0    u8  ql[128]    low four bits; per half h (128 values): byte 64·h + l holds
///                            values l (low nibble) and 64 + l (high), byte 64·h + 32 + l
///                            values 32 + l and 96 + l
/// offset 128  u8  qh[64]     high two bits; byte 32·h + l holds those of values l, 32 + l,
///                            64 + l, 96 + l in bits 0–1, 2–3, 4–5, 6–7
/// offset 192  i8  scales[16] one per 16 values
/// offset 208  f16 d
/// ```
/// Value `i` is `d · scales[i / 16] · (q − 32)` with `q` in 0…63.
public enum Q6_KFormat: QuantFormat {
    public static var type: GGMLType { .q6_K }

    static let blockBytes = 210
    static let highOffset = 128
    static let scalesOffset = 192
    static let scaleOffset = 208

    /// The 6-bit value `index` (0…255) of the block at `base`, minus 32.
    @inline(__always)
    static func centeredQuant(_ base: UnsafeRawPointer, _ index: Int) -> Int32 {
        let half = index / 128, within = index % 128
        let quarter = within / 32, l = within % 32
        let lowByte = base.load(fromByteOffset: 64 * half + 32 * (quarter & 1) + l, as: UInt8.self)
        let low = quarter < 2 ? lowByte & 0xF : lowByte >> 4
        let highByte = base.load(fromByteOffset: highOffset + 32 * half + l, as: UInt8.self)
        let high = (highByte >> UInt8(2 * quarter)) & 3
        return Int32(low | (high << 4)) - 32
    }

    /// Decodes `count` values (a multiple of 256) in ggml's `dequantize_row_q6_K` order of
    /// operations: `(d · scale) · (q − 32)`.
    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0 ..< count / KQuant.superBlock {
            let base = source + block * blockBytes
            let d = KQuant.half(base, scaleOffset)
            let out = destination + block * KQuant.superBlock
            for index in 0 ..< KQuant.superBlock {
                let scale = Float(base.load(fromByteOffset: scalesOffset + index / 16, as: Int8.self))
                out[index] = d * scale * Float(centeredQuant(base, index))
            }
        }
    }

    /// Apus's one order for a Q6_K row (the order of llama.cpp's tiled K-quant matrix kernel,
    /// ggml-cpu/tiled): per super-block the exact integer `S = Σ scale·(q − 32)·a`, then
    /// `acc += (d·S)·d_a` with one FMA. The single dot, `dotFourRows` and the batched kernel
    /// all sum in this order, whatever the batch.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var accumulator: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let q8 = (y + Q8_KFormat.quantsOffset).assumingMemoryBound(to: Int8.self)
            var total: Int32 = 0
            for index in 0 ..< KQuant.superBlock {
                let scale = Int32(x.load(fromByteOffset: scalesOffset + index / 16, as: Int8.self))
                total &+= scale &* (Int32(q8[index]) &* centeredQuant(x, index))
            }
            accumulator = accumulator.addingProduct(KQuant.half(x, scaleOffset) * Float(total), y.loadUnaligned(as: Float.self))
        }
        return accumulator
    }

    #if arch(x86_64)
    /// Four rows in `dotReference`'s order, each activation super-block read once for all four.
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        dotFourRowsAVX2(weights, rowBytes: rowBytes, activations, count: count)
    }
    #endif

    /// The fast dot product (AVX2 on x86_64), equal to `dotReference` bit for bit.
    /// Activations must be Q8_K with correct `bsums` (the −32 offset is taken
    /// from them).
    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return dotAVX2(weights, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
