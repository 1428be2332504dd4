#if arch(x86_64)
import _Builtin_intrinsics.intel

extension KQuant {
    /// For 32 values covering two 16-value groups `2·chunk` and `2·chunk + 1`: a vector of
    /// 16 words, the first 8 holding signed byte `2·chunk` of `scales` and the last 8 byte
    /// `2·chunk + 1`, ready for `vpmaddwd` against the `vpmaddubsw` pair sums.
    @inline(__always)
    static func groupScalePair(_ scales: __m128i, chunk: Int) -> __m256i {
        let first = UInt64(2 * chunk), second = UInt64(2 * chunk + 1)
        let mask = _mm_set_epi64x(Int64(bitPattern: 0x0101_0101_0101_0101 &* second),
                                  Int64(bitPattern: 0x0101_0101_0101_0101 &* first))
        return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, mask))
    }

    /// Loads 32 bytes at `offset` from `base` (unaligned).
    @inline(__always)
    static func load32(_ base: UnsafeRawPointer, _ offset: Int) -> __m256i {
        _mm256_loadu_si256((base + offset).assumingMemoryBound(to: __m256i.self))
    }

    /// Bytes of `bits` whose `mask` bit is set become 0xFF, the others 0.
    @inline(__always)
    static func bitIsSet(_ bits: __m256i, _ mask: __m256i) -> __m256i {
        _mm256_cmpeq_epi8(_mm256_and_si256(bits, mask), mask)
    }
}
#endif

#if arch(x86_64)
extension KQuant {
    /// Adds the 8 lanes in ggml's `hsum_float_8` order (high half + low half, then lanes
    /// 0+2 and 1+3, then those two), so the fast kernels round exactly as llama.cpp's do.
    @inline(__always)
    static func horizontalSum(_ v: __m256) -> Float {
        horizontalSum(v.highHalf + v.lowHalf)
    }

    /// Adds 4 lanes as ggml does: (0 + 2) + (1 + 3).
    @inline(__always)
    static func horizontalSum(_ v: SIMD4<Float>) -> Float {
        (v[0] + v[2]) + (v[1] + v[3])
    }
}
#endif
