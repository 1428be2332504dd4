#if arch(x86_64)
import _Builtin_intrinsics.intel

// Q4_K in the interleaved batched product (InterleavedProduct). Per super-block of eight
// rows: for sub-block s, quad k, the eight rows' values 32·s + 4·k … + 3 as bytes (the
// low nibbles of chunk s / 2 for even s, the high nibbles for odd); each sub-block's scale
// as a word pair per row, for `vpmaddwd` after its pair sums add up in 16 bits
// (|sum| ≤ 16 · 15 · 128 < 2^15); each chunk's two mins as a word pair per row, against
// the token's two 32-value sums; then the rows' d and dmin.
//
// Each (row, token) 64-value chunk's exact integer sums (`Σ scale·q·a` over its two
// sub-blocks, `Σ min·bsum` over its two mins) are folded into the row's two float
// accumulators chunk by chunk, as `dotReference` does (its one order, llama.cpp's
// four-token `ggml_gemm_q4_K_8x8_q8_K`): the results equal the single dots bit for bit, so
// the tokens of a batch left over to single dots agree too.

extension Q4_KFormat: InterleavedProduct {
    /// 2048 bytes of values (8 sub-blocks × 8 quads × 32), the sub-block scales (8 × 32),
    /// the chunks' min pairs (4 × 32), the rows' d and dmin (2 × 32).
    static var interleavedBlockBytes: Int { 2048 + 256 + 128 + 64 }
    static var interleavedMinimumTokens: Int { InterleavedProductLayout.tokens }
    private static let interleavedScales = 2048
    private static let interleavedMins = 2048 + 256
    private static let interleavedHalves = 2048 + 256 + 128

    @inline(__always)
    static func interleave(_ weights: WeightMatrix, firstRow: Int, blocks: Int, into destination: UnsafeMutableRawPointer) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        for block in 0 ..< blocks {
            let out = destination + block * interleavedBlockBytes
            @inline(__always) func x(_ r: Int) -> UnsafeRawPointer { weights.row(firstRow + r) + block * blockBytes }
            // Sub-block 2c holds the low nibbles of chunk c's 32 bytes, 2c + 1 the high.
            for chunk in 0 ..< 4 {
                let offset = quantsOffset + 32 * chunk
                InterleavedProductLayout.storeTransposed(InterleavedProductLayout.eightRows {
                    _mm256_and_si256(KQuant.load32(x($0), offset), lowNibbles)
                }, to: out + 256 * (2 * chunk))
                InterleavedProductLayout.storeTransposed(InterleavedProductLayout.eightRows {
                    _mm256_and_si256(_mm256_srli_epi16(KQuant.load32(x($0), offset), 4), lowNibbles)
                }, to: out + 256 * (2 * chunk + 1))
            }
            for r in 0 ..< InterleavedProductLayout.rows {
                let packed = KQuant.scalesAndMins(x(r) + scalesOffset)
                for subBlock in 0 ..< 8 {
                    let scale = UInt32(KQuant.byte(packed, subBlock))
                    out.storeBytes(of: scale | scale << 16, toByteOffset: interleavedScales + 32 * subBlock + 4 * r, as: UInt32.self)
                }
                for chunk in 0 ..< 4 {
                    let pair = UInt32(KQuant.byte(packed, 8 + 2 * chunk)) | UInt32(KQuant.byte(packed, 9 + 2 * chunk)) << 16
                    out.storeBytes(of: pair, toByteOffset: interleavedMins + 32 * chunk + 4 * r, as: UInt32.self)
                }
                out.storeBytes(of: KQuant.half(x(r), 0), toByteOffset: interleavedHalves + 4 * r, as: Float.self)
                out.storeBytes(of: KQuant.half(x(r), 2), toByteOffset: interleavedHalves + 32 + 4 * r, as: Float.self)
            }
        }
    }

    @inline(__always)
    static func fourTokens(_ group: UnsafeRawPointer, blocks: Int, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer,
                           _ y2: UnsafeRawPointer, _ y3: UnsafeRawPointer)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        var min0 = acc0, min1 = acc0, min2 = acc0, min3 = acc0
        for block in 0 ..< blocks {
            let x = group + block * interleavedBlockBytes
            let offset = block * Q8_KFormat.blockBytes
            let a0 = y0 + offset, a1 = y1 + offset, a2 = y2 + offset, a3 = y3 + offset
            let rowD = x.load(fromByteOffset: interleavedHalves, as: __m256.self)
            let rowDmin = x.load(fromByteOffset: interleavedHalves + 32, as: __m256.self)
            // d_x·d_a and dmin_x·d_a per row and token, as `dotReference` forms them.
            let tokenScale0 = _mm256_set1_ps(a0.loadUnaligned(as: Float.self))
            let tokenScale1 = _mm256_set1_ps(a1.loadUnaligned(as: Float.self))
            let tokenScale2 = _mm256_set1_ps(a2.loadUnaligned(as: Float.self))
            let tokenScale3 = _mm256_set1_ps(a3.loadUnaligned(as: Float.self))
            let d0 = _mm256_mul_ps(rowD, tokenScale0), d1 = _mm256_mul_ps(rowD, tokenScale1)
            let d2 = _mm256_mul_ps(rowD, tokenScale2), d3 = _mm256_mul_ps(rowD, tokenScale3)
            let dmin0 = _mm256_mul_ps(rowDmin, tokenScale0), dmin1 = _mm256_mul_ps(rowDmin, tokenScale1)
            let dmin2 = _mm256_mul_ps(rowDmin, tokenScale2), dmin3 = _mm256_mul_ps(rowDmin, tokenScale3)
            let sums0 = subBlockSums(a0), sums1 = subBlockSums(a1), sums2 = subBlockSums(a2), sums3 = subBlockSums(a3)
            for chunk in 0 ..< 4 {
                var i0 = _mm256_setzero_si256(), i1 = i0, i2 = i0, i3 = i0
                for half in 0 ..< 2 {
                    let subBlock = 2 * chunk + half
                    var s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0
                    let values = x + 256 * subBlock
                    let q = Q8_KFormat.quantsOffset + 32 * subBlock
                    for quad in 0 ..< 8 {
                        let w = values.load(fromByteOffset: 32 * quad, as: __m256i.self)
                        s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(w, broadcast(a0, q + 4 * quad)))
                        s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(w, broadcast(a1, q + 4 * quad)))
                        s2 = _mm256_add_epi16(s2, _mm256_maddubs_epi16(w, broadcast(a2, q + 4 * quad)))
                        s3 = _mm256_add_epi16(s3, _mm256_maddubs_epi16(w, broadcast(a3, q + 4 * quad)))
                    }
                    let scale = x.load(fromByteOffset: interleavedScales + 32 * subBlock, as: __m256i.self)
                    i0 = _mm256_add_epi32(i0, _mm256_madd_epi16(s0, scale))
                    i1 = _mm256_add_epi32(i1, _mm256_madd_epi16(s1, scale))
                    i2 = _mm256_add_epi32(i2, _mm256_madd_epi16(s2, scale))
                    i3 = _mm256_add_epi32(i3, _mm256_madd_epi16(s3, scale))
                }
                acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i0), d0, acc0)
                acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i1), d1, acc1)
                acc2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i2), d2, acc2)
                acc3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i3), d3, acc3)
            }
            // The min terms go to their own accumulators, chunk by chunk in the same order.
            for chunk in 0 ..< 4 {
                let mins = x.load(fromByteOffset: interleavedMins + 32 * chunk, as: __m256i.self)
                min0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(mins, pairOf(sums0, chunk))), dmin0, min0)
                min1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(mins, pairOf(sums1, chunk))), dmin1, min1)
                min2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(mins, pairOf(sums2, chunk))), dmin2, min2)
                min3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(mins, pairOf(sums3, chunk))), dmin3, min3)
            }
        }
        return (acc0 - min0, acc1 - min1, acc2 - min2, acc3 - min3)
    }

    /// Chunk `chunk`'s two 32-value activation sums (words 2·chunk, 2·chunk + 1 of
    /// `subBlockSums`) in every 32-bit lane, for `vpmaddwd` against the rows' min pairs.
    @inline(__always)
    private static func pairOf(_ sums: __m128i, _ chunk: Int) -> __m256i {
        _mm256_set1_epi32(unsafeBitCast(sums, to: SIMD4<Int32>.self)[chunk])
    }
}
#endif
