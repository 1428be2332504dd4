#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// Q8_0: blocks of 32 signed bytes with one half-precision scale.
///
/// Layout (34 bytes, ggml's `block_q8_0`): `f16 d` at 0, `i8 qs[32]` at 2; value = d·q.
/// Also the activation format that Q4_0, Q5_0, Q8_0 and Q8_1 weights are dotted against.
public enum Q8_0Format: QuantizableFormat {
    public static var type: GGMLType { .q8_0 }
    static let blockBytes = 34

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for block in 0..<(count / 32) {
            let base = source + block * blockBytes
            let d = loadHalf(base, 0)
            for j in 0..<32 {
                destination[block * 32 + j] = Float(loadInt8(base, 2 + j)) * d
            }
        }
    }

    /// Mirrors ggml's `ggml_vec_dot_q8_0_q8_0_generic`: integer sum per block, then
    /// `sumi·dx·dy` accumulated in Float.
    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        q8WeightDotReference(weights, weightQuantsOffset: 2, weightBlockBytes: blockBytes, activations, count: count)
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        return Q8Dot.dotAVX2(weights, weightQuantsOffset: 2, weightBlockBytes: blockBytes, activations, count: count)
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }

    #if arch(x86_64)
    /// Four rows against one activation row, each summed exactly as `dot` sums it.
    public static func dotFourRows(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                   count: Int) -> SIMD4<Float> {
        return Q8Dot.dotFourRowsAVX2(weights, rowBytes: rowBytes, weightQuantsOffset: 2, weightBlockBytes: blockBytes,
                                     activations, count: count)
    }
    #endif

    /// Encodes like the quantizer llama.cpp runs on x86 (`quantize_row_q8_0`, AVX2 path):
    /// scale `d = amax/127` stored as half, quants `round(x·(127/amax))` with ties to even.
    ///
    /// ggml's portable `quantize_row_q8_0_ref` differs in two details (it multiplies by
    /// `1/d` and rounds ties away from zero), so it can give different bytes for a few
    /// values; we follow the x86 path because that is what our logits are compared to.
    /// Bytes agree with `quantize` for finite input; non-finite input gives -128s, never a trap.
    public static func quantizeReference(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            let (d, inverse) = Q8Scale.of(x)
            storeHalf(d, out, 0)
            for j in 0..<32 {
                out.storeBytes(of: saturatingInt8(convertLikeCVT(x[j] * inverse)), toByteOffset: 2 + j, as: Int8.self)
            }
        }
    }

    public static func quantize(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        #if arch(x86_64)
        Q8Quantizer.quantizeAVX2(source, destination, count: count, withSums: false)
        #else
        quantizeReference(source, destination, count: count)
        #endif
    }
}

/// The scale rule shared by the Q8_0 and Q8_1 quantizers.
enum Q8Scale {
    /// Returns `(d, 1/d)` for a block of 32 floats as ggml's x86 path computes them:
    /// `d = amax/127`, inverse `127/amax` (0 for an all-zero block).
    @inline(__always)
    static func of(_ x: UnsafePointer<Float>) -> (Float, Float) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(x[j])) }
        return (amax / 127, amax != 0 ? 127 / amax : 0)
    }
}
