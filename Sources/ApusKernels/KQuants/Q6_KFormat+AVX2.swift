#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q6_KFormat {
    /// AVX2 Q6_K · Q8_K: the unsigned 6-bit values (0…63) go through `vpmaddubsw` and
    /// `vpmaddwd` with the group scales as in ggml's x86 kernel, the −32 offset is
    /// subtracted once per block as `32 · Σ scale · bsum`, and each super-block's exact
    /// integer sum is folded as `dotReference` does.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var accumulator: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let integerSum = integerSums(x, y)
            let total = KQuant.horizontalIntegerSum(_mm_add_epi32(integerSum.lowHalf, integerSum.highHalf))
            accumulator = accumulator.addingProduct(KQuant.half(x, scaleOffset) * Float(total), y.loadUnaligned(as: Float.self))
        }
        return accumulator
    }

    /// `dotAVX2` of the four rows at `weights`, `weights + rowBytes`, …: each activation
    /// super-block read once for all four, the four rows' exact totals gathered into one
    /// vector and folded together, lane r doing row r's `acc += (d·S)·d_a`.
    @inline(__always)
    static func dotFourRowsAVX2(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                count: Int) -> SIMD4<Float> {
        // The 32-bit words ending at each row's `d` (the block's last field, so no load
        // reaches past the row), widened: lane 2r + 1 is row r's d; these pick lanes 1, 3, 5, 7.
        let oddLanes = _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7)
        var accumulator = _mm_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let row0 = integerSums(x, y), row1 = integerSums(x + rowBytes, y)
            let row2 = integerSums(x + 2 * rowBytes, y), row3 = integerSums(x + 3 * rowBytes, y)
            let pairs = _mm256_hadd_epi32(_mm256_hadd_epi32(row0, row1), _mm256_hadd_epi32(row2, row3))
            let totals = _mm_cvtepi32_ps(_mm_add_epi32(pairs.lowHalf, pairs.highHalf))
            let halves = _mm256_cvtph_ps(AVX2Blocks.fourRowWords(x + scaleOffset - 2, rowBytes: rowBytes))
            let d = _mm256_permutevar8x32_ps(halves, oddLanes).lowHalf
            accumulator = _mm_fmadd_ps(_mm_mul_ps(d, totals), _mm_set1_ps(y.loadUnaligned(as: Float.self)), accumulator)
        }
        return accumulator
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
