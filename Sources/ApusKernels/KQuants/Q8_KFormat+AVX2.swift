#if arch(x86_64)
import _Builtin_intrinsics.intel

extension Q8_KFormat {
    /// AVX2 Q8_K · Q8_K: `|x|` times `y` signed by `x` through `vpmaddubsw`, pairs summed
    /// by `vpmaddwd`; the integer sum per block is exact, so the result equals the reference.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let ones = _mm256_set1_epi16(1)
        var sum: Float = 0
        for block in 0 ..< count / KQuant.superBlock {
            let x = weights + block * blockBytes, y = activations + block * blockBytes
            var accumulator = _mm256_setzero_si256()
            for chunk in 0 ..< 8 {
                let qx = _mm256_loadu_si256((x + quantsOffset + 32 * chunk).assumingMemoryBound(to: __m256i.self))
                let qy = _mm256_loadu_si256((y + quantsOffset + 32 * chunk).assumingMemoryBound(to: __m256i.self))
                let products = _mm256_maddubs_epi16(_mm256_sign_epi8(qx, qx), _mm256_sign_epi8(qy, qx))
                accumulator = _mm256_add_epi32(accumulator, _mm256_madd_epi16(products, ones))
            }
            let integerSum = unsafeBitCast(accumulator, to: SIMD8<Int32>.self).wrappedSum()
            let scale = x.loadUnaligned(as: Float.self) * y.loadUnaligned(as: Float.self)
            sum += scale * Float(integerSum)
        }
        return sum
    }

    /// AVX2 encoder: `vcvtps2dq` rounds to nearest-even exactly like ggml's `nearest_int`,
    /// and the two saturating packs plus one lane permute put the bytes back in order.
    @inline(__always)
    static func quantizeAVX2(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, count: Int) {
        let absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFF_FFFF))
        let limit = _mm256_set1_epi32(127)
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)
        for block in 0 ..< count / KQuant.superBlock {
            let x = source + block * KQuant.superBlock
            let base = destination + block * blockBytes
            var peak = _mm256_setzero_ps()
            for chunk in 0 ..< 32 {
                peak = _mm256_max_ps(peak, _mm256_and_ps(_mm256_loadu_ps(x + 8 * chunk), absMask))
            }
            let magnitude = peak.max()
            if magnitude == 0 {
                writeZeroBlock(base)
                continue
            }
            // The sign of the scale comes from the first value of largest magnitude.
            var first = 0
            while first < KQuant.superBlock - 1 && abs(x[first]) != magnitude { first += 1 }
            let inverseScale = -127 / x[first]
            let multiplier = _mm256_set1_ps(inverseScale)
            let quants = base + quantsOffset
            for chunk in 0 ..< 8 {
                let values = x + 32 * chunk
                let a = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(values), multiplier)), limit)
                let b = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(values + 8), multiplier)), limit)
                let c = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(values + 16), multiplier)), limit)
                let d = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(values + 24), multiplier)), limit)
                let packed = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d))
                _mm256_storeu_si256((quants + 32 * chunk).assumingMemoryBound(to: __m256i.self),
                                    _mm256_permutevar8x32_epi32(packed, order))
                let low = unsafeBitCast(_mm256_add_epi32(a, b), to: SIMD8<Int32>.self).wrappedSum()
                let high = unsafeBitCast(_mm256_add_epi32(c, d), to: SIMD8<Int32>.self).wrappedSum()
                base.storeBytes(of: Int16(truncatingIfNeeded: low), toByteOffset: sumsOffset + 4 * chunk, as: Int16.self)
                base.storeBytes(of: Int16(truncatingIfNeeded: high), toByteOffset: sumsOffset + 4 * chunk + 2, as: Int16.self)
            }
            base.storeBytes(of: 1 / inverseScale, as: Float.self)
        }
    }
}
#endif
