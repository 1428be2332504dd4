import ApusCore

/// Q8_1: Q8_0 plus a precomputed `s = d·Σq` per block.
///
/// Layout (36 bytes, ggml's `block_q8_1`): `f16 d` at 0, `f16 s` at 2, `i8 qs[32]` at 4.
/// It is the activation format for Q4_1 and Q5_1 weights: their per-block minimum `m`
/// contributes `m·Σ(d_a·q_a) = m·s`, so `s` saves a pass. As a weight it is dotted
/// against Q8_0 (the `GGMLTypeTraits` table).
public enum Q8_1Format: QuantizableFormat {
    public static var type: GGMLType { .q8_1 }
    static let blockBytes = 36

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            for j in 0..<32 {
                destination[block * 32 + j] = Float(loadInt8(base, 4 + j)) * d
            }
        }
    }

    /// Q8_1 weights against Q8_0 activations: `Σ_blocks sumi·dx·dy` in Float.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        q8WeightDotReference(weights, weightQuantsOffset: 4, weightBlockBytes: blockBytes, activations, count: count)
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return Q8Dot.dotAVX2(weights, weightQuantsOffset: 4, weightBlockBytes: blockBytes, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    /// Encodes like llama.cpp's x86 `quantize_row_q8_1` (see `Q8_0Format.quantizeReference`
    /// for the rounding); `s` is `d` times the sum of the stored quants, rounded to half.
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            let (d, inverse) = Q8Scale.of(x)
            var sum: Int32 = 0
            for j in 0..<32 {
                let q = convertLikeCVT(x[j] * inverse)
                // ggml's AVX2 path sums the quants before narrowing; equal for finite input.
                sum &+= q
                out.storeBytes(of: saturatingInt8(q), toByteOffset: 4 + j, as: Int8.self)
            }
            storeHalf(d, out, 0)
            storeHalf(d * Float(sum), out, 2)
        }
    }

    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        #if arch(x86_64)
        Q8Quantizer.quantizeAVX2(source, destination, count: count, withSums: true)
        #else
        quantizeReference(source, destination, count: count)
        #endif
    }
}
