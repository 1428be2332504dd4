#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import ApusCore

/// F32 weights: plain IEEE single floats, dotted against F32 activations. Rows may have any length.
public enum F32Format: QuantFormat {
    public static var type: GGMLType { .f32 }

    public static func dequantizeReference(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            destination[i] = source.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
        }
    }

    public static func dotReference(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        return FloatRowDot.reference(count: count, a) { weights.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
    }

    public static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let a = activations.assumingMemoryBound(to: Float.self)
        #if arch(x86_64)
        let w = weights.assumingMemoryBound(to: Float.self)
        return FloatRowDot.avx2(count: count, a, load8: { _mm256_loadu_ps(w + $0) }, weight: { w[$0] })
        #else
        return dotReference(weights, activations, count: count)
        #endif
    }
}
