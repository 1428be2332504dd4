#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// Q4_K against four activation rows at once: each super-block's nibbles and scales are
// unpacked once and reused for four tokens (prompt processing and batched decode).
//
// The float order is that of llama.cpp's repacked four-token kernel
// (`ggml_gemm_q4_K_8x8_q8_K`), which folds each 64-value chunk's exact integer sums into
// the accumulators as it goes — four FMAs per super-block instead of the single kernel's
// one. llama.cpp runs the first 4·⌊n/4⌋ tokens of a batch through it and the rest through
// the one-token kernel, exactly the split `MatMul` makes, so both paths round as its do.

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
        var acc = SIMD4<Float>(), minAcc = SIMD4<Float>()
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
            // Per token: the chunk min terms (lane c: chunk c) and the two scale products.
            let minTerms = (minProducts(y0, mins), minProducts(y1, mins), minProducts(y2, mins), minProducts(y3, mins))
            let activationScales = SIMD4<Float>(y0.loadUnaligned(as: Float.self), y1.loadUnaligned(as: Float.self),
                                                y2.loadUnaligned(as: Float.self), y3.loadUnaligned(as: Float.self))
            let d = SIMD4<Float>(repeating: KQuant.half(x, 0)) * activationScales
            let dmin = SIMD4<Float>(repeating: KQuant.half(x, 2)) * activationScales
            for chunk in 0 ..< 4 {
                let scaleLow = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk))
                let scaleHigh = _mm256_shuffle_epi8(scales, broadcastWord(2 * chunk + 1))
                let bits = _mm256_loadu_si256((quants + 32 * chunk).assumingMemoryBound(to: __m256i.self))
                let low = _mm256_and_si256(bits, lowNibbles)
                let high = _mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles)
                let offset = Q8_KFormat.quantsOffset + 64 * chunk
                let integers = SIMD4<Int32>(
                    chunkSum(chunkProducts(low, high, scaleLow, scaleHigh, y0 + offset)),
                    chunkSum(chunkProducts(low, high, scaleLow, scaleHigh, y1 + offset)),
                    chunkSum(chunkProducts(low, high, scaleLow, scaleHigh, y2 + offset)),
                    chunkSum(chunkProducts(low, high, scaleLow, scaleHigh, y3 + offset)))
                let minimums = SIMD4<Int32>(minTerms.0[chunk], minTerms.1[chunk], minTerms.2[chunk], minTerms.3[chunk])
                acc = acc.addingProduct(SIMD4<Float>(integers), d)
                minAcc = minAcc.addingProduct(SIMD4<Float>(minimums), dmin)
            }
        }
        let result = acc - minAcc
        for t in 0 ..< 4 { results[t] = result[t] }
    }

    /// One token's four chunk min terms `Σ min·bsum` (lane c covers chunk c's two sub-blocks).
    @inline(__always)
    static func minProducts(_ y: UnsafeRawPointer, _ mins: __m128i) -> SIMD4<Int32> {
        let groupSums = _mm256_loadu_si256((y + Q8_KFormat.sumsOffset).assumingMemoryBound(to: __m256i.self))
        let subBlockSums = _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf)
        return unsafeBitCast(_mm_madd_epi16(mins, subBlockSums), to: SIMD4<Int32>.self)
    }

    /// Exact sum of one chunk's eight 32-bit lanes.
    @inline(__always)
    static func chunkSum(_ lanes: __m256i) -> Int32 {
        KQuant.horizontalIntegerSum(_mm_add_epi32(lanes.lowHalf, lanes.highHalf))
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
}
#endif
