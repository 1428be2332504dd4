#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// BF16 weights: the top 16 bits of an IEEE single, dotted against F32 activations.
/// Rows may have any length.
public enum BF16Format: QuantFormat {
    public static var type: GGMLType { .bf16 }

    /// Widens one bfloat16 (exact: the low 16 mantissa bits become zero).
    @inline(__always)
    static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)) << 16)
    }

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            destination[i] = load(source, i)
        }
    }

    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        return FloatRowDot.reference(count: count, a) { load(weights, $0) }
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        #if arch(x86_64)
        return FloatRowDot.avx2(
            count: count, a,
            load8: {
                let halves = _mm_loadu_si128((weights + 2 * $0).assumingMemoryBound(to: __m128i_u.self))
                return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16))
            },
            weight: { load(weights, $0) })
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
