#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q5_KFormat {
    /// AVX2 Q5_K · Q8_K: the Q4_K kernel with the fifth bit turned into +16 by a compare
    /// against its mask (no variable shifts), values 0…31 into `vpmaddubsw`.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        let sixteen = _mm256_set1_epi8(16)
        var accumulator = _mm256_setzero_ps()
        // ggml's Q5_K kernel keeps the min term as one float, added per block (GCC fuses it into an FMA).
        var minSum: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let activationScale = y.loadUnaligned(as: Float.self)
            let d = activationScale * KQuant.half(x, 0)
            let negativeDmin = -activationScale * KQuant.half(x, 2)

            let scalesAndMins = KQuant.wordScalesAndMins(x + scalesOffset)
            let groupSums = KQuant.load32(y, Q8_KFormat.sumsOffset)
            let subBlockSums = _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf)
            let minProducts = _mm_madd_epi16(scalesAndMins.highHalf, subBlockSums)
            minSum = minSum.addingProduct(negativeDmin, Float(unsafeBitCast(minProducts, to: SIMD4<Int32>.self).wrappedSum()))

            let scales128 = scalesAndMins.lowHalf
            let scales = _mm256_set_m128i(scales128, scales128)
            let highBits = KQuant.load32(x, highOffset)
            var integerSum = _mm256_setzero_si256()
            for chunk in 0 ..< 4 {
                let scaleLow = _mm256_shuffle_epi8(scales, Q4_KFormat.broadcastWord(2 * chunk))
                let scaleHigh = _mm256_shuffle_epi8(scales, Q4_KFormat.broadcastWord(2 * chunk + 1))
                let bits = KQuant.load32(x, quantsOffset + 32 * chunk)
                let lowMask = _mm256_set1_epi8(Int8(truncatingIfNeeded: 1 << (2 * chunk)))
                let highMask = _mm256_set1_epi8(Int8(truncatingIfNeeded: 2 << (2 * chunk)))
                let low = _mm256_or_si256(_mm256_and_si256(bits, lowNibbles),
                                          _mm256_and_si256(KQuant.bitIsSet(highBits, lowMask), sixteen))
                let high = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles),
                                           _mm256_and_si256(KQuant.bitIsSet(highBits, highMask), sixteen))
                let activationsLow = KQuant.load32(y, Q8_KFormat.quantsOffset + 64 * chunk)
                let activationsHigh = KQuant.load32(y, Q8_KFormat.quantsOffset + 64 * chunk + 32)
                let productsLow = _mm256_madd_epi16(scaleLow, _mm256_maddubs_epi16(low, activationsLow))
                let productsHigh = _mm256_madd_epi16(scaleHigh, _mm256_maddubs_epi16(high, activationsHigh))
                integerSum = _mm256_add_epi32(integerSum, _mm256_add_epi32(productsLow, productsHigh))
            }
            accumulator = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(integerSum), accumulator)
        }
        return KQuant.horizontalSum(accumulator) + minSum
    }
}
#endif
