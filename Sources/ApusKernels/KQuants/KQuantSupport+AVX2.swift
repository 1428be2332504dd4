#if arch(x86_64)
import _Builtin_intrinsics.intel

extension KQuant {
    /// The 16 signed byte group scales of a block widened to words, for `groupScalePair`:
    /// `first` holds scales 0…7 in both 128-bit lanes, `second` scales 8…15.
    @inline(__always)
    static func wordScales(_ scales: __m128i) -> (first: __m256i, second: __m256i) {
        let words = _mm256_cvtepi8_epi16(scales)
        return (_mm256_set_m128i(words.lowHalf, words.lowHalf), _mm256_set_m128i(words.highHalf, words.highHalf))
    }

    /// For 32 values covering groups `2·pair` and `2·pair + 1` of `halfScales` (one of
    /// `wordScales`' results, `pair` in 0…3): 8 words of the first scale then 8 of the
    /// second, ready for `vpmaddwd` against the `vpmaddubsw` pair sums. One `vpshufb`.
    @inline(__always)
    static func groupScalePair(_ halfScales: __m256i, pair: Int) -> __m256i {
        let first = Int64(4 * pair) | Int64(4 * pair + 1) << 8
        let second = Int64(4 * pair + 2) | Int64(4 * pair + 3) << 8
        let low = first &* 0x0001_0001_0001_0001, high = second &* 0x0001_0001_0001_0001
        return _mm256_shuffle_epi8(halfScales, _mm256_set_epi64x(high, high, low, low))
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

    /// Sum of four 32-bit integer lanes (exact, wrapping like the vector adds).
    @inline(__always)
    static func horizontalIntegerSum(_ v: __m128i) -> Int32 {
        let lanes = unsafeBitCast(v, to: SIMD4<Int32>.self)
        return (lanes[0] &+ lanes[1]) &+ (lanes[2] &+ lanes[3])
    }

    /// The eight scales (low half) and eight mins (high half) of a Q4_K/Q5_K block's
    /// 12-byte field at `packed`, widened to 16-bit words.
    @inline(__always)
    static func wordScalesAndMins(_ packed: UnsafeRawPointer) -> __m256i {
        let words = scalesAndMins(packed)
        return _mm256_cvtepu8_epi16(_mm_set_epi32(Int32(bitPattern: words.3), Int32(bitPattern: words.2),
                                                  Int32(bitPattern: words.1), Int32(bitPattern: words.0)))
    }

    /// Adds 4 lanes as ggml does: (0 + 2) + (1 + 3).
    @inline(__always)
    static func horizontalSum(_ v: SIMD4<Float>) -> Float {
        (v[0] + v[2]) + (v[1] + v[3])
    }
}
#endif
