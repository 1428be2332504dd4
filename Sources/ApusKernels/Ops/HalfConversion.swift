#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Float ⇄ half conversions of whole rows. They live in the kernel target, which is
/// compiled with F16C, so they become `vcvtps2ph`/`vcvtph2ps` instead of a library call
/// per value (callers in other targets would get the library call).
public enum HalfConversion {
    /// Rounds `count` floats to half precision into `destination`.
    public static func store(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float16>, count: Int) {
        var i = 0
        let src = UnsafeRawPointer(source), dst = UnsafeMutableRawPointer(destination)
        while i + 8 <= count {
            let v = src.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            dst.storeBytes(of: SIMD8<Float16>(v), toByteOffset: i * 2, as: SIMD8<Float16>.self)
            i += 8
        }
        while i < count { destination[i] = Float16(source[i]); i += 1 }
    }

    /// The eight half floats at `source` widened to floats: one `vcvtph2ps` on x86 (the
    /// generic SIMD conversion is an out-of-line call per vector there).
    @inline(__always)
    public static func widenEight(_ source: UnsafeRawPointer) -> SIMD8<Float> {
        #if arch(x86_64)
        return _mm256_cvtph_ps(_mm_loadu_si128(source.assumingMemoryBound(to: __m128i_u.self)))
        #else
        return SIMD8<Float>(source.loadUnaligned(as: SIMD8<Float16>.self))
        #endif
    }

    /// Rounds `count` floats to half precision and back, in place.
    public static func round(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(values)
        while i + 8 <= count {
            let halves = SIMD8<Float16>(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            let widened = withUnsafeBytes(of: halves) { widenEight($0.baseAddress!) }
            raw.storeBytes(of: widened, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { values[i] = Float(Float16(values[i])); i += 1 }
    }

    /// Widens `count` half floats to floats into `destination`.
    public static func load(_ source: UnsafePointer<Float16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let src = UnsafeRawPointer(source), dst = UnsafeMutableRawPointer(destination)
        while i + 8 <= count {
            dst.storeBytes(of: widenEight(src + i * 2), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { destination[i] = Float(source[i]); i += 1 }
    }
}
