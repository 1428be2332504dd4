#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q6_KFormat {
    /// AVX2 Q6_K · Q8_K as ggml's x86 kernel does it: the unsigned 6-bit values (0…63)
    /// go through `vpmaddubsw` and `vpmaddwd` with the group scales, and the −32 offset is
    /// subtracted once per block as `32 · Σ scale · bsum`.
    /// With `tiledOrder` each super-block's exact integer sum is folded as
    /// `dotReferenceTiledOrder` does instead.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int,
                        tiledOrder: Bool = false) -> Float {
        var tiledSum: Float = 0
        var accumulator = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let integerSum = integerSums(x, y)
            if tiledOrder {
                let total = KQuant.horizontalIntegerSum(_mm_add_epi32(integerSum.lowHalf, integerSum.highHalf))
                tiledSum = tiledSum.addingProduct(KQuant.half(x, scaleOffset) * Float(total), y.loadUnaligned(as: Float.self))
            } else {
                let d = y.loadUnaligned(as: Float.self) * KQuant.half(x, scaleOffset)
                accumulator = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(integerSum), accumulator)
            }
        }
        return tiledOrder ? tiledSum : KQuant.horizontalSum(accumulator)
    }

    /// `dotAVX2` (vec_dot order) of the four rows at `weights`, `weights + rowBytes`, …:
    /// four independent accumulators, each activation super-block read once for all four,
    /// the four rows' `d·d_a` from one vector multiply.
    @inline(__always)
    static func dotFourRowsAVX2(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                count: Int) -> SIMD4<Float> {
        var accumulator0 = _mm256_setzero_ps(), accumulator1 = _mm256_setzero_ps()
        var accumulator2 = _mm256_setzero_ps(), accumulator3 = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            // Lane 2r + 1: row r's d·d_a, as `dotAVX2` computes it (the words end at `d`, the
            // block's last field, so no load reaches past the row).
            let scales = _mm256_mul_ps(_mm256_set1_ps(y.loadUnaligned(as: Float.self)),
                                       AVX2Blocks.fourRowHalfPairs(x + scaleOffset - 2, rowBytes: rowBytes))
            accumulator0 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 1), _mm256_cvtepi32_ps(integerSums(x, y)), accumulator0)
            accumulator1 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 3),
                                           _mm256_cvtepi32_ps(integerSums(x + rowBytes, y)), accumulator1)
            accumulator2 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 5),
                                           _mm256_cvtepi32_ps(integerSums(x + 2 * rowBytes, y)), accumulator2)
            accumulator3 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 7),
                                           _mm256_cvtepi32_ps(integerSums(x + 3 * rowBytes, y)), accumulator3)
        }
        return SIMD4(KQuant.horizontalSum(accumulator0), KQuant.horizontalSum(accumulator1),
                     KQuant.horizontalSum(accumulator2), KQuant.horizontalSum(accumulator3))
    }

    /// The exact integer sum `Σ scale·(q − 32)·a` of one super-block at `x` against
    /// activations `y`, in eight i32 lanes (ggml's lane split).
    @inline(__always)
    static func integerSums(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> __m256i {
        let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
        let scales = _mm_loadu_si128((x + scalesOffset).assumingMemoryBound(to: __m128i.self))
        let offsetTerm = _mm256_slli_epi32(_mm256_madd_epi16(groupSums, _mm256_cvtepi8_epi16(scales)), 5)
        let q8 = y + Q8_KFormat.quantsOffset
        let wordScales = KQuant.wordScales(scales)
        var integerSum = _mm256_setzero_si256()
        for half in 0 ..< 2 {
            let halfScales = half == 0 ? wordScales.first : wordScales.second
            let (values0, values1, values2, values3) = unpackValues(x, half: half)
            let base = q8 + 128 * half
            let products0 = scaled(values0, base, halfScales, pair: 0)
            let products1 = scaled(values1, base + 32, halfScales, pair: 1)
            let products2 = scaled(values2, base + 64, halfScales, pair: 2)
            let products3 = scaled(values3, base + 96, halfScales, pair: 3)
            integerSum = _mm256_add_epi32(integerSum, _mm256_add_epi32(products0, products1))
            integerSum = _mm256_add_epi32(integerSum, _mm256_add_epi32(products2, products3))
        }
        return _mm256_sub_epi32(integerSum, offsetTerm)
    }

    /// The 128 unsigned 6-bit values (0…63) of half `half` of the block at `x`, as four
    /// runs of 32 bytes in ggml's order: low nibbles of the first and second 32 bytes, then
    /// their high nibbles, each with its two high bits from the `qh` bytes.
    @inline(__always)
    static func unpackValues(_ x: UnsafeRawPointer, half: Int) -> (__m256i, __m256i, __m256i, __m256i) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        let bits1 = KQuant.load32(x, 64 * half)
        let bits2 = KQuant.load32(x, 64 * half + 32)
        let highBits = KQuant.load32(x, highOffset + 32 * half)
        // Move each pair of high bits to bits 4–5 of its byte.
        let high0 = _mm256_slli_epi16(_mm256_and_si256(highBits, _mm256_set1_epi8(3)), 4)
        let high1 = _mm256_slli_epi16(_mm256_and_si256(highBits, _mm256_set1_epi8(12)), 2)
        let high2 = _mm256_and_si256(highBits, _mm256_set1_epi8(48))
        let high3 = _mm256_srli_epi16(_mm256_and_si256(highBits, _mm256_set1_epi8(-64)), 2)
        return (_mm256_or_si256(_mm256_and_si256(bits1, lowNibbles), high0),
                _mm256_or_si256(_mm256_and_si256(bits2, lowNibbles), high1),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits1, 4), lowNibbles), high2),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits2, 4), lowNibbles), high3))
    }

    /// 32 unsigned 6-bit values times 32 activations, the first 16 products scaled by
    /// group scale `2·pair` of `halfScales` and the next 16 by `2·pair + 1`, as 8 × i32.
    @inline(__always)
    static func scaled(_ values: __m256i, _ activations: UnsafeRawPointer, _ halfScales: __m256i, pair: Int) -> __m256i {
        let q8 = KQuant.load32(activations, 0)
        return _mm256_madd_epi16(KQuant.groupScalePair(halfScales, pair: pair), _mm256_maddubs_epi16(values, q8))
    }
}
#endif
