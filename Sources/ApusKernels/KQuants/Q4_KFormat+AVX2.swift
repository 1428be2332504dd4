#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q4_KFormat {
    /// AVX2 Q4_K · Q8_K: nibbles times activations by `vpmaddubsw`, times the sub-block
    /// scale by `vpmaddwd`, the min term from the activations' `bsums` (eight pair sums
    /// times eight mins); each 64-value chunk's two exact integer sums then go into the
    /// float accumulators, chunk by chunk, in `dotReference`'s order.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var accumulator: Float = 0, minAccumulator: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let sums = integerSums(x, y, subBlockSums(y))
            let minimums = unsafeBitCast(sums.minProducts, to: SIMD4<Int32>.self)
            let activationScale = y.loadUnaligned(as: Float.self)
            let d = KQuant.half(x, 0) * activationScale, dmin = KQuant.half(x, 2) * activationScale
            @inline(__always) func fold(_ integer: __m256i, _ minimum: Int32) {
                accumulator = accumulator.addingProduct(Float(laneTotal(integer)), d)
                minAccumulator = minAccumulator.addingProduct(Float(minimum), dmin)
            }
            fold(sums.chunks.0, minimums[0])
            fold(sums.chunks.1, minimums[1])
            fold(sums.chunks.2, minimums[2])
            fold(sums.chunks.3, minimums[3])
        }
        return accumulator - minAccumulator
    }

    /// `dotAVX2` of the four rows at `weights`, `weights + rowBytes`, …:
    /// each activation super-block's sums and quants are read once for the four rows, and
    /// for each chunk in turn the four rows' exact integer sums are folded together, lane r
    /// of one vector FMA doing row r's two scalar FMAs (`acc` in lanes 0–3, `accMin` in
    /// lanes 4–7).
    @inline(__always)
    static func dotFourRowsAVX2(_ weights: UnsafeRawPointer, rowBytes: Int, _ activations: UnsafeRawPointer,
                                count: Int) -> SIMD4<Float> {
        // Lanes 2r, 2r + 1 of the widened (d, dmin) pairs go to lanes r and 4 + r.
        let pairsToHalves = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)
        var accumulators = _mm256_setzero_ps()
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            let minSums = subBlockSums(y)
            let row0 = integerSums(x, y, minSums), row1 = integerSums(x + rowBytes, y, minSums)
            let row2 = integerSums(x + 2 * rowBytes, y, minSums), row3 = integerSums(x + 3 * rowBytes, y, minSums)
            // (d·d_a, dmin·d_a) of each row, as `dotAVX2` computes them.
            let scales = _mm256_mul_ps(_mm256_cvtph_ps(AVX2Blocks.fourRowWords(x, rowBytes: rowBytes)),
                                       _mm256_set1_ps(y.loadUnaligned(as: Float.self)))
            let rowScales = _mm256_permutevar8x32_ps(scales, pairsToHalves)
            // Lane c of each row's min products is chunk c's: transposed, chunk c's four rows.
            let minLow01 = _mm_unpacklo_epi32(row0.minProducts, row1.minProducts)
            let minLow23 = _mm_unpacklo_epi32(row2.minProducts, row3.minProducts)
            let minHigh01 = _mm_unpackhi_epi32(row0.minProducts, row1.minProducts)
            let minHigh23 = _mm_unpackhi_epi32(row2.minProducts, row3.minProducts)
            @inline(__always) func fold(_ r0: __m256i, _ r1: __m256i, _ r2: __m256i, _ r3: __m256i, _ minimums: __m128i) {
                let integers = _mm256_hadd_epi32(_mm256_hadd_epi32(r0, r1), _mm256_hadd_epi32(r2, r3))
                let totals = _mm256_set_m128i(minimums, _mm_add_epi32(integers.lowHalf, integers.highHalf))
                accumulators = _mm256_fmadd_ps(_mm256_cvtepi32_ps(totals), rowScales, accumulators)
            }
            fold(row0.chunks.0, row1.chunks.0, row2.chunks.0, row3.chunks.0, _mm_unpacklo_epi64(minLow01, minLow23))
            fold(row0.chunks.1, row1.chunks.1, row2.chunks.1, row3.chunks.1, _mm_unpackhi_epi64(minLow01, minLow23))
            fold(row0.chunks.2, row1.chunks.2, row2.chunks.2, row3.chunks.2, _mm_unpacklo_epi64(minHigh01, minHigh23))
            fold(row0.chunks.3, row1.chunks.3, row2.chunks.3, row3.chunks.3, _mm_unpackhi_epi64(minHigh01, minHigh23))
        }
        return accumulators.lowHalf - accumulators.highHalf
    }

    /// The eight 32-value sums of the activation super-block at `y` (pairs of its
    /// 16-value `bsums`), as words: what each sub-block's min multiplies.
    @inline(__always)
    static func subBlockSums(_ y: UnsafeRawPointer) -> __m128i {
        let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
        return _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf)
    }

    /// The exact integer sums of one weight super-block at `x` against activations `y`:
    /// `Σ scale·q·a` of each 64-value chunk (8 × i32 lanes each) and the four chunks'
    /// `Σ min·bsum` (lane c: chunk c, two sub-blocks).
    @inline(__always)
    static func integerSums(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ subBlockSums: __m128i)
        -> (chunks: (__m256i, __m256i, __m256i, __m256i), minProducts: __m128i) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        // 16 × i16: scales 0…7 in the low half, mins 0…7 in the high half.
        let scalesAndMins = KQuant.wordScalesAndMins(x + scalesOffset)
        let minProducts = _mm_madd_epi16(scalesAndMins.highHalf, subBlockSums)
        let scales128 = _mm256_castsi256_si128(scalesAndMins)
        let scales = _mm256_set_m128i(scales128, scales128)
        let quants = x + quantsOffset
        let q8 = y + Q8_KFormat.quantsOffset
        @inline(__always) func chunkSum(_ chunk: Int) -> __m256i {
            let scaleLow = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk))
            let scaleHigh = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk + 1))
            let bits = _mm256_loadu_si256((quants + 32 * chunk).assumingMemoryBound(to: __m256i.self))
            let low = _mm256_and_si256(bits, lowNibbles)
            let high = _mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles)
            let activationsLow = _mm256_loadu_si256((q8 + 64 * chunk).assumingMemoryBound(to: __m256i.self))
            let activationsHigh = _mm256_loadu_si256((q8 + 64 * chunk + 32).assumingMemoryBound(to: __m256i.self))
            let productsLow = _mm256_madd_epi16(scaleLow, _mm256_maddubs_epi16(low, activationsLow))
            let productsHigh = _mm256_madd_epi16(scaleHigh, _mm256_maddubs_epi16(high, activationsHigh))
            return _mm256_add_epi32(productsLow, productsHigh)
        }
        return ((chunkSum(0), chunkSum(1), chunkSum(2), chunkSum(3)), minProducts)
    }

    /// Exact sum of eight 32-bit lanes.
    @inline(__always)
    static func laneTotal(_ lanes: __m256i) -> Int32 {
        KQuant.horizontalIntegerSum(_mm_add_epi32(lanes.lowHalf, lanes.highHalf))
    }

    /// A `vpshufb` mask that copies 16-bit word `index` (0…7) of each 128-bit lane into
    /// every word of that lane.
    @inline(__always)
    static func broadcastWord(_ index: Int) -> __m256i {
        _mm256_set1_epi16(Int16(truncatingIfNeeded: (2 * index) | ((2 * index + 1) << 8)))
    }
}
#endif
