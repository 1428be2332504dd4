#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q3_KFormat {
    /// AVX2 Q3_K · Q8_K: the two low bits (0…3) and the "minus 4" where the third bit is
    /// clear each go through `vpmaddubsw`, their difference through `vpmaddwd` with the
    /// signed group scales; one float FMA per block.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let twoBits = _mm256_set1_epi8(3)
        let four = _mm256_set1_epi8(4)
        var accumulator = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let d = y.loadUnaligned(as: Float.self) * KQuant.half(x, scaleOffset)
            let packed = KQuant.q3Scales(x + scalesOffset)
            let scales = _mm_sub_epi8(
                _mm_set_epi32(Int32(bitPattern: packed.3), Int32(bitPattern: packed.2),
                              Int32(bitPattern: packed.1), Int32(bitPattern: packed.0)),
                _mm_set1_epi8(32))
            let highBits = KQuant.load32(x, 0)
            let wordScales = KQuant.wordScales(scales)
            var integerSum = _mm256_setzero_si256()
            for half in 0 ..< 2 {
                let halfScales = half == 0 ? wordScales.first : wordScales.second
                let lowBits = KQuant.load32(x, quantsOffset + 32 * half)
                for j in 0 ..< 4 {
                    let chunk = 4 * half + j
                    let low = _mm256_and_si256(_mm256_srli_epi16(lowBits, Int32(2 * j)), twoBits)
                    let mask = _mm256_set1_epi8(Int8(truncatingIfNeeded: 1 << chunk))
                    let minusFour = _mm256_andnot_si256(KQuant.bitIsSet(highBits, mask), four)
                    let q8 = KQuant.load32(y, Q8_KFormat.quantsOffset + 32 * chunk)
                    let pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(low, q8), _mm256_maddubs_epi16(minusFour, q8))
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
