#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The dot-product loop shared by the float weight formats (F32, F16, BF16) against F32 activations.
enum FloatRowDot {
    /// Reference: `Σ weight(i)·a[i]` accumulated in Double, as ggml's scalar `ggml_vec_dot_f32`
    /// accumulates in `ggml_float`.
    @inline(__always)
    static func reference(count: Int, _ activations: UnsafePointer<Float>, weight: (Int) -> Float) -> Float {
        var sum: Double = 0
        for i in 0..<count {
            sum += Double(weight(i) * activations[i])
        }
        return Float(sum)
    }

    #if arch(x86_64)
    /// Four independent FMA chains over 32 elements per step (to hide FMA latency), then
    /// 8 at a time, then a scalar tail; `load8(i)` widens weights i…i+7 to floats.
    @inline(__always)
    static func avx2(count: Int, _ activations: UnsafePointer<Float>,
                     load8: (Int) -> __m256, weight: (Int) -> Float) -> Float {
        var a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps()
        var a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps()
        var i = 0
        while i + 32 <= count {
            a0 = _mm256_fmadd_ps(load8(i), _mm256_loadu_ps(activations + i), a0)
            a1 = _mm256_fmadd_ps(load8(i + 8), _mm256_loadu_ps(activations + i + 8), a1)
            a2 = _mm256_fmadd_ps(load8(i + 16), _mm256_loadu_ps(activations + i + 16), a2)
            a3 = _mm256_fmadd_ps(load8(i + 24), _mm256_loadu_ps(activations + i + 24), a3)
            i += 32
        }
        while i + 8 <= count {
            a0 = _mm256_fmadd_ps(load8(i), _mm256_loadu_ps(activations + i), a0)
            i += 8
        }
        var sum = AVX2Blocks.horizontalSum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)))
        while i < count {
            sum += weight(i) * activations[i]
            i += 1
        }
        return sum
    }
    #endif
}
