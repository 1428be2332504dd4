#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q4_KFormat {
    /// AVX2 Q4_K · Q8_K: nibbles times activations by `vpmaddubsw`, times the sub-block
    /// scale by `vpmaddwd`, the min term from the activations' `bsums` (eight pair sums
    /// times eight mins); each super-block's two integer sums then go into the float
    /// accumulators in `dotReference`'s order (llama.cpp's repacked one-token kernel), or
    /// with `foldEachChunk` each 64-value chunk's sums separately
    /// (`dotReferenceFourTokenOrder`, its four-token kernel).
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int,
                        foldEachChunk: Bool = false) -> Float {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        var accumulator: Float = 0, minAccumulator: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes
            let y = activations + block * Q8_KFormat.blockBytes
            // 16 × i16: scales 0…7 in the low half, mins 0…7 in the high half.
            let scalesAndMins = KQuant.wordScalesAndMins(x + scalesOffset)
            let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
            // Pairs of 16-value sums make the eight 32-value sums each min applies to.
            let subBlockSums = _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf)
            let minProducts = _mm_madd_epi16(scalesAndMins.highHalf, subBlockSums)

            let scales128 = _mm256_castsi256_si128(scalesAndMins)
            let scales = _mm256_set_m128i(scales128, scales128)
            let quants = x + quantsOffset
            let q8 = y + Q8_KFormat.quantsOffset
            var integerSum = _mm256_setzero_si256()
            for chunk in 0 ..< 4 {
                let scaleLow = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk))
                let scaleHigh = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk + 1))
                let bits = _mm256_loadu_si256((quants + 32 * chunk).assumingMemoryBound(to: __m256i.self))
                let low = _mm256_and_si256(bits, lowNibbles)
                let high = _mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles)
                let activationsLow = _mm256_loadu_si256((q8 + 64 * chunk).assumingMemoryBound(to: __m256i.self))
                let activationsHigh = _mm256_loadu_si256((q8 + 64 * chunk + 32).assumingMemoryBound(to: __m256i.self))
                let productsLow = _mm256_madd_epi16(scaleLow, _mm256_maddubs_epi16(low, activationsLow))
                let productsHigh = _mm256_madd_epi16(scaleHigh, _mm256_maddubs_epi16(high, activationsHigh))
                let chunkSum = _mm256_add_epi32(productsLow, productsHigh)
                if foldEachChunk {
                    fold(x, y, integer: laneTotal(chunkSum), minimum: unsafeBitCast(minProducts, to: SIMD4<Int32>.self)[chunk],
                         &accumulator, &minAccumulator)
                } else {
                    integerSum = _mm256_add_epi32(integerSum, chunkSum)
                }
            }
            if !foldEachChunk {
                fold(x, y, integer: laneTotal(integerSum), minimum: KQuant.horizontalIntegerSum(minProducts),
                     &accumulator, &minAccumulator)
            }
        }
        return accumulator - minAccumulator
    }

    /// Exact sum of eight 32-bit lanes.
    @inline(__always)
    static func laneTotal(_ lanes: __m256i) -> Int32 {
        KQuant.horizontalIntegerSum(_mm_add_epi32(lanes.lowHalf, lanes.highHalf))
    }

    /// Folds exact integer sums `Σ scale·q·a` and `Σ min·bsum` (of a super-block or one
    /// chunk of it) into the float accumulators, as `dotReference` does.
    @inline(__always)
    static func fold(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, integer: Int32, minimum: Int32,
                     _ accumulator: inout Float, _ minAccumulator: inout Float) {
        let activationScale = y.loadUnaligned(as: Float.self)
        accumulator = accumulator.addingProduct(Float(integer), KQuant.half(x, 0) * activationScale)
        minAccumulator = minAccumulator.addingProduct(Float(minimum), KQuant.half(x, 2) * activationScale)
    }

    /// A `vpshufb` mask that copies 16-bit word `index` (0…7) of each 128-bit lane into
    /// every word of that lane.
    @inline(__always)
    static func broadcastWord(_ index: Int) -> __m256i {
        _mm256_set1_epi16(Int16(truncatingIfNeeded: (2 * index) | ((2 * index + 1) << 8)))
    }
}
#endif
