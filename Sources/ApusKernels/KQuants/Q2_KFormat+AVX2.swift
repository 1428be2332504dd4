#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q2_KFormat {
    /// AVX2 Q2_K · Q8_K: 2-bit values through `vpmaddubsw`, the 4-bit group scales through
    /// `vpmaddwd`; the min term is `Σ bsums · min` by one `vpmaddwd` per block.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let twoBits = _mm256_set1_epi8(3)
        let lowNibbles = _mm_set1_epi8(0x0F)
        var accumulator = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let activationScale = y.loadUnaligned(as: Float.self)
            let d = activationScale * KQuant.half(x, scaleOffset)
            let negativeDmin = -activationScale * KQuant.half(x, minScaleOffset)

            let packed = _mm_loadu_si128(x.assumingMemoryBound(to: __m128i.self))
            let scales = _mm_and_si128(packed, lowNibbles)
            let mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), lowNibbles))
            let minProducts = _mm256_madd_epi16(mins, KQuant.load32(y, Q8_KFormat.sumsOffset))
            accumulator = _mm256_fmadd_ps(_mm256_set1_ps(negativeDmin), _mm256_cvtepi32_ps(minProducts), accumulator)

            let wordScales = KQuant.wordScales(scales)
            var integerSum = _mm256_setzero_si256()
            for half in 0 ..< 2 {
                let halfScales = half == 0 ? wordScales.first : wordScales.second
                let bits = KQuant.load32(x, quantsOffset + 32 * half)
                for j in 0 ..< 4 {
                    let chunk = 4 * half + j
                    let values = _mm256_and_si256(_mm256_srli_epi16(bits, Int32(2 * j)), twoBits)
                    let q8 = KQuant.load32(y, Q8_KFormat.quantsOffset + 32 * chunk)
                    let pairs = _mm256_maddubs_epi16(values, q8)
                    integerSum = _mm256_add_epi32(integerSum,
                                                  _mm256_madd_epi16(KQuant.groupScalePair(halfScales, pair: j), pairs))
                }
            }
            accumulator = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(integerSum), accumulator)
        }
        return KQuant.horizontalSum(accumulator)
    }
}
#endif
