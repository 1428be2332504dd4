#if arch(x86_64)
import _Builtin_intrinsics.intel

/// AVX2 dot product of rows of 8-bit weight quants (Q8_0 or Q8_1 blocks) against Q8_0 activations.
enum Q8Dot {
    /// `Σ_blocks d_w·d_a·Σ q_w·q_a`; the weight block has its half scale at offset 0 and
    /// 32 signed quants at `weightQuantsOffset`.
    @inline(__always)
    static func dotAVX2(_ weights: UnsafeRawPointer, weightQuantsOffset: Int, weightBlockBytes: Int,
                        _ activations: UnsafeRawPointer, count: Int) -> Float {
        var accumulator = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * weightBlockBytes
            let y = activations + block * 34
            let scale = AVX2Blocks.scaleProduct(x, 0, y, 0)
            let products = AVX2Blocks.dotSigned(AVX2Blocks.load32(x + weightQuantsOffset), AVX2Blocks.load32(y + 2))
            accumulator = _mm256_fmadd_ps(scale, products, accumulator)
        }
        return AVX2Blocks.horizontalSum(accumulator)
    }
}

extension Q8Dot {
    /// `dotAVX2` of four rows (`weights`, `weights + rowBytes`, …) at once: each activation
    /// block loaded once, four independent FMA chains, every row's operations and order unchanged.
    @inline(__always)
    static func dotFourRowsAVX2(_ weights: UnsafeRawPointer, rowBytes: Int, weightQuantsOffset: Int, weightBlockBytes: Int,
                                _ activations: UnsafeRawPointer, count: Int) -> SIMD4<Float> {
        var accumulator0 = _mm256_setzero_ps(), accumulator1 = _mm256_setzero_ps()
        var accumulator2 = _mm256_setzero_ps(), accumulator3 = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * weightBlockBytes
            let y = activations + block * 34
            // Lane 2r: row r's d·d_y (a product of two halves, exact).
            let scales = _mm256_mul_ps(AVX2Blocks.fourRowHalfPairs(x, rowBytes: rowBytes),
                                       _mm256_cvtph_ps(_mm_set1_epi16(y.loadUnaligned(as: Int16.self))))
            let q8 = AVX2Blocks.load32(y + 2)
            let q = x + weightQuantsOffset
            accumulator0 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 0),
                                           AVX2Blocks.dotSigned(AVX2Blocks.load32(q), q8), accumulator0)
            accumulator1 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 2),
                                           AVX2Blocks.dotSigned(AVX2Blocks.load32(q + rowBytes), q8), accumulator1)
            accumulator2 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 4),
                                           AVX2Blocks.dotSigned(AVX2Blocks.load32(q + 2 * rowBytes), q8), accumulator2)
            accumulator3 = _mm256_fmadd_ps(AVX2Blocks.broadcastLane(scales, 6),
                                           AVX2Blocks.dotSigned(AVX2Blocks.load32(q + 3 * rowBytes), q8), accumulator3)
        }
        return AVX2Blocks.horizontalSums(accumulator0, accumulator1, accumulator2, accumulator3)
    }
}

/// AVX2 activation quantizer for Q8_0 and Q8_1 (the same steps as ggml's x86 `quantize_row_q8_0/q8_1`).
enum Q8Quantizer {
    /// Encodes `count` floats; with `withSums` writes Q8_1 blocks (36 bytes: d, s = d·Σq, qs)
    /// else Q8_0 blocks (34 bytes: d, qs).
    @inline(__always)
    static func quantizeAVX2(_ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer,
                             count: Int, withSums: Bool) {
        let blockBytes = withSums ? 36 : 34
        let quantsOffset = withSums ? 4 : 2
        let signBit = _mm256_set1_ps(-0.0)
        // packs work within 128-bit lanes; this puts the four 8-byte groups back in order.
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            let v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8)
            let v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24)
            let magnitudes = _mm256_max_ps(
                _mm256_max_ps(_mm256_andnot_ps(signBit, v0), _mm256_andnot_ps(signBit, v1)),
                _mm256_max_ps(_mm256_andnot_ps(signBit, v2), _mm256_andnot_ps(signBit, v3)))
            let amax = magnitudes.max()
            let d = amax / 127
            let multiplier = _mm256_set1_ps(amax != 0 ? 127 / amax : 0)
            // cvtps2dq rounds to nearest even under the default MXCSR, like ggml's explicit round.
            let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, multiplier))
            let i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, multiplier))
            let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, multiplier))
            let i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, multiplier))
            let packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3))
            _mm256_storeu_si256((out + quantsOffset).assumingMemoryBound(to: __m256i_u.self),
                                _mm256_permutevar8x32_epi32(packed, order))
            storeHalf(d, out, 0)
            if withSums {
                let total = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3))
                let lanes = unsafeBitCast(total, to: SIMD8<Int32>.self)
                storeHalf(d * Float(lanes.wrappedSum()), out, 2)
            }
        }
    }
}
#endif
