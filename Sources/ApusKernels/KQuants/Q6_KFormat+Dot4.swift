#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// Q6_K against four activation rows at once: each half super-block's 6-bit values are
// assembled once and reused for four tokens. Per token, the operations are exactly those of
// `dotAVX2`, so each result equals the single dot bit for bit.

extension Q6_KFormat: MultiTokenDot {
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
extension Q6_KFormat {
    @inline(__always)
    static func dot4AVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes stride: Int,
                         count: Int, results: UnsafeMutablePointer<Float>) {
        let twoBits = _mm256_set1_epi8(3)
        let lowNibbles = _mm256_set1_epi8(0x0F)
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y0 = activations + block * Q8_KFormat.blockBytes
            let y1 = y0 + stride, y2 = y1 + stride, y3 = y2 + stride
            let scales = _mm_loadu_si128((x + scalesOffset).assumingMemoryBound(to: __m128i.self))
            let wordScales = KQuant.wordScales(scales)
            var sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256()
            var sum2 = _mm256_setzero_si256(), sum3 = _mm256_setzero_si256()
            for half in 0 ..< 2 {
                let halfScales = half == 0 ? wordScales.first : wordScales.second
                let bits1 = _mm256_loadu_si256((x + 64 * half).assumingMemoryBound(to: __m256i.self))
                let bits2 = _mm256_loadu_si256((x + 64 * half + 32).assumingMemoryBound(to: __m256i.self))
                let highBits = _mm256_loadu_si256((x + highOffset + 32 * half).assumingMemoryBound(to: __m256i.self))
                let high0 = _mm256_slli_epi16(_mm256_and_si256(highBits, twoBits), 4)
                let high1 = _mm256_slli_epi16(_mm256_and_si256(highBits, _mm256_set1_epi8(12)), 2)
                let high2 = _mm256_and_si256(highBits, _mm256_set1_epi8(48))
                let high3 = _mm256_srli_epi16(_mm256_and_si256(highBits, _mm256_set1_epi8(-64)), 2)
                let values = (
                    _mm256_or_si256(_mm256_and_si256(bits1, lowNibbles), high0),
                    _mm256_or_si256(_mm256_and_si256(bits2, lowNibbles), high1),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits1, 4), lowNibbles), high2),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits2, 4), lowNibbles), high3))
                let offset = Q8_KFormat.quantsOffset + 128 * half
                sum0 = halfProducts(values, y0 + offset, halfScales, into: sum0)
                sum1 = halfProducts(values, y1 + offset, halfScales, into: sum1)
                sum2 = halfProducts(values, y2 + offset, halfScales, into: sum2)
                sum3 = halfProducts(values, y3 + offset, halfScales, into: sum3)
            }
            accumulate(x, y0, scales, sum0, &acc0)
            accumulate(x, y1, scales, sum1, &acc1)
            accumulate(x, y2, scales, sum2, &acc2)
            accumulate(x, y3, scales, sum3, &acc3)
        }
        results[0] = KQuant.horizontalSum(acc0)
        results[1] = KQuant.horizontalSum(acc1)
        results[2] = KQuant.horizontalSum(acc2)
        results[3] = KQuant.horizontalSum(acc3)
    }

    /// One half super-block (128 values) of one token, added to `sum` in `dotAVX2`'s order.
    @inline(__always)
    static func halfProducts(_ values: (__m256i, __m256i, __m256i, __m256i), _ base: UnsafeRawPointer,
                             _ halfScales: __m256i, into sum: __m256i) -> __m256i {
        let products0 = scaled(values.0, base, halfScales, pair: 0)
        let products1 = scaled(values.1, base + 32, halfScales, pair: 1)
        let products2 = scaled(values.2, base + 64, halfScales, pair: 2)
        let products3 = scaled(values.3, base + 96, halfScales, pair: 3)
        let partial = _mm256_add_epi32(sum, _mm256_add_epi32(products0, products1))
        return _mm256_add_epi32(partial, _mm256_add_epi32(products2, products3))
    }

    /// The −32 offset term and the float accumulation of one super-block for one token.
    @inline(__always)
    static func accumulate(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ scales: __m128i, _ integerSum: __m256i,
                           _ accumulator: inout __m256) {
        let d = y.loadUnaligned(as: Float.self) * KQuant.half(x, scaleOffset)
        let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
        let offsetTerm = _mm256_slli_epi32(_mm256_madd_epi16(groupSums, _mm256_cvtepi8_epi16(scales)), 5)
        let sum = _mm256_sub_epi32(integerSum, offsetTerm)
        accumulator = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), accumulator)
    }
}
#endif
