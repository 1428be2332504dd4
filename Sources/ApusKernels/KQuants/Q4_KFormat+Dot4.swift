#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// Q4_K against four activation rows at once: each super-block's nibbles and scales are
// unpacked once and reused for four tokens (prompt processing and batched decode). Per
// token, the integer and float operations are exactly those of `dotAVX2`, in the same
// order, so each result equals the single dot bit for bit.

extension Q4_KFormat: MultiTokenDot {
    public static func dot4(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes: Int,
                            count: Int, results: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        dot4AVX2(weights, activations, activationRowBytes: activationRowBytes, count: count, results: results)
        #else
        Dot4.portable(Self.self, weights, activations, activationRowBytes, count, results)
        #endif
    }
}

#if arch(x86_64)
extension Q4_KFormat {
    @inline(__always)
    static func dot4AVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes stride: Int,
                         count: Int, results: UnsafeMutablePointer<Float>) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        var min0 = _mm_setzero_ps(), min1 = _mm_setzero_ps(), min2 = _mm_setzero_ps(), min3 = _mm_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y0 = activations + block * Q8_KFormat.blockBytes
            let y1 = y0 + stride, y2 = y1 + stride, y3 = y2 + stride
            let packed = KQuant.scalesAndMins(x + scalesOffset)
            let scalesAndMins = _mm256_cvtepu8_epi16(_mm_set_epi32(
                Int32(bitPattern: packed.3), Int32(bitPattern: packed.2),
                Int32(bitPattern: packed.1), Int32(bitPattern: packed.0)))
            let mins = scalesAndMins.highHalf
            let scales128 = _mm256_castsi256_si128(scalesAndMins)
            let scales = _mm256_set_m128i(scales128, scales128)
            let quants = x + quantsOffset
            var sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256()
            var sum2 = _mm256_setzero_si256(), sum3 = _mm256_setzero_si256()
            for chunk in 0 ..< 4 {
                let scaleLow = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk))
                let scaleHigh = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk + 1))
                let bits = _mm256_loadu_si256((quants + 32 * chunk).assumingMemoryBound(to: __m256i.self))
                let low = _mm256_and_si256(bits, lowNibbles)
                let high = _mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles)
                let offset = Q8_KFormat.quantsOffset + 64 * chunk
                sum0 = _mm256_add_epi32(sum0, chunkProducts(low, high, scaleLow, scaleHigh, y0 + offset))
                sum1 = _mm256_add_epi32(sum1, chunkProducts(low, high, scaleLow, scaleHigh, y1 + offset))
                sum2 = _mm256_add_epi32(sum2, chunkProducts(low, high, scaleLow, scaleHigh, y2 + offset))
                sum3 = _mm256_add_epi32(sum3, chunkProducts(low, high, scaleLow, scaleHigh, y3 + offset))
            }
            accumulate(x, y0, mins, sum0, &acc0, &min0)
            accumulate(x, y1, mins, sum1, &acc1, &min1)
            accumulate(x, y2, mins, sum2, &acc2, &min2)
            accumulate(x, y3, mins, sum3, &acc3, &min3)
        }
        results[0] = KQuant.horizontalSum(acc0) + KQuant.horizontalSum(min0)
        results[1] = KQuant.horizontalSum(acc1) + KQuant.horizontalSum(min1)
        results[2] = KQuant.horizontalSum(acc2) + KQuant.horizontalSum(min2)
        results[3] = KQuant.horizontalSum(acc3) + KQuant.horizontalSum(min3)
    }

    /// One 64-value chunk of one token: low nibbles × first 32 activations and high
    /// nibbles × next 32, each times its sub-block scale, as eight 32-bit sums.
    @inline(__always)
    static func chunkProducts(_ low: __m256i, _ high: __m256i, _ scaleLow: __m256i, _ scaleHigh: __m256i,
                              _ q8: UnsafeRawPointer) -> __m256i {
        let activationsLow = _mm256_loadu_si256(q8.assumingMemoryBound(to: __m256i.self))
        let activationsHigh = _mm256_loadu_si256((q8 + 32).assumingMemoryBound(to: __m256i.self))
        let productsLow = _mm256_madd_epi16(scaleLow, _mm256_maddubs_epi16(low, activationsLow))
        let productsHigh = _mm256_madd_epi16(scaleHigh, _mm256_maddubs_epi16(high, activationsHigh))
        return _mm256_add_epi32(productsLow, productsHigh)
    }

    /// The float part of one super-block for one token: the scaled integer sum and the
    /// min term from the token's bsums (the same operations as `dotAVX2`).
    @inline(__always)
    static func accumulate(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ mins: __m128i, _ integerSum: __m256i,
                           _ accumulator: inout __m256, _ minAccumulator: inout __m128) {
        let activationScale = y.loadUnaligned(as: Float.self)
        let d = activationScale * KQuant.half(x, 0)
        let negativeDmin = -activationScale * KQuant.half(x, 2)
        let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
        let subBlockSums = _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf)
        let minProducts = _mm_madd_epi16(mins, subBlockSums)
        minAccumulator = _mm_fmadd_ps(_mm_set1_ps(negativeDmin), _mm_cvtepi32_ps(minProducts), minAccumulator)
        accumulator = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(integerSum), accumulator)
    }
}
#endif
