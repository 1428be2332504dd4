#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// F16 weights: IEEE half floats, widened and dotted against F32 activations. Rows may have any length.
public enum F16Format: QuantFormat {
    public static var type: GGMLType { .f16 }

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            destination[i] = loadHalf(source, 2 * i)
        }
    }

    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        return FloatRowDot.reference(count: count, a) { loadHalf(weights, 2 * $0) }
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        #if arch(x86_64)
        return FloatRowDot.avx2(
            count: count, a,
            load8: { _mm256_cvtph_ps(_mm_loadu_si128((weights + 2 * $0).assumingMemoryBound(to: __m128i_u.self))) },
            weight: { loadHalf(weights, 2 * $0) })
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
