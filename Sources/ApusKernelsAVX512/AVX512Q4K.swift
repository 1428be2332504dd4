#if arch(x86_64)
import _Builtin_intrinsics.intel

/// The batched Q4_K product with AVX-512 VNNI: sixteen weight rows interleaved, four tokens
/// per pass.
///
/// A group's super-block is repacked (per call, into scratch) as: for sub-block s and quad k,
/// the sixteen rows' four values as bytes side by side (64 bytes, row r in 32-bit lane r);
/// the rows' eight sub-block scales as 32-bit lanes; the rows' four chunk min pairs as word
/// pairs; the rows' d and dmin as floats. One `vpdpbusd` of a quad vector with a token's four
/// activations broadcast adds sixteen rows' products. The integer sums `I_j = Σ scale·q·a`
/// and `M_j = Σ min·bsum` of each (row, token) super-block's 64-value chunk j (two sub-blocks)
/// are exact, and are folded into float exactly as `Q4_KFormat.dotReference` folds them, chunk
/// by chunk: `acc += I_j·(d·d_a)`, `accMin += M_j·(dmin·d_a)` (one FMA each per chunk, four per
/// super-block, llama.cpp's four-token order), result `acc − accMin`. So results equal the
/// reference and the AVX2 kernels bit for bit.
public enum AVX512Q4K {
    /// Rows per group.
    public static let rowsPerGroup = 16
    /// Tokens per pass.
    public static let tokensPerPass = 4
    static let blockBytes = 144
    static let activationBlockBytes = 292
    /// 4096 bytes of values, 512 of scales, 256 of min pairs, 64 of d, 64 of dmin.
    static let groupBlockBytes = 4096 + 512 + 256 + 128
    static let scalesOffset = 4096, minsOffset = 4608, dOffset = 4864, dminOffset = 4928

    /// Scratch bytes `multiply` needs for `groups` groups of `blocks` super-blocks.
    public static func scratchBytes(groups: Int, blocks: Int) -> Int { groups * blocks * groupBlockBytes }

    /// Writes `output[t·outputStride + r]` = the dot of weight row r (at `weights + r·rowBytes`,
    /// r < 16·`groups`) with activation row t (Q8_K, at `activations + t·activationRowBytes`)
    /// for t < `tokens` rounded down to a multiple of four, and returns that count; the caller
    /// does the rest. `scratch` holds `scratchBytes(groups:blocks:)` bytes, 64-byte aligned.
    public static func multiply(weights: UnsafeRawPointer, rowBytes: Int, groups: Int, blocks: Int,
                                activations: UnsafeRawPointer, activationRowBytes stride: Int, tokens: Int,
                                output: UnsafeMutablePointer<Float>, outputStride: Int,
                                scratch: UnsafeMutableRawPointer) -> Int {
        Wide.interleavedPasses(weights: weights, rowBytes: rowBytes, groups: groups, blocks: blocks,
                               rowsPerGroup: rowsPerGroup, tokensPerPass: tokensPerPass, groupBlockBytes: groupBlockBytes,
                               activations: activations, stride: stride, tokens: tokens, output: output,
                               outputStride: outputStride, scratch: scratch,
                               interleave: { interleave($0, rowBytes: rowBytes, blocks: blocks, into: $1) },
                               pass: { fourTokens($0, blocks: blocks, $1, stride, $2, outputStride) })
    }

    @inline(__always)
    static func fourTokens(_ packed: UnsafeRawPointer, blocks: Int, _ y: UnsafeRawPointer, _ stride: Int,
                                   _ out: UnsafeMutablePointer<Float>, _ outputStride: Int) {
        var acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        var min0 = acc0, min1 = acc0, min2 = acc0, min3 = acc0
        for block in 0 ..< blocks {
            let x = packed + block * groupBlockBytes
            let offset = block * activationBlockBytes
            let a0 = y + offset, a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride
            let rowD = x.load(fromByteOffset: dOffset, as: __m512.self)
            let rowDmin = x.load(fromByteOffset: dminOffset, as: __m512.self)
            let ts0 = _mm512_set1_ps(a0.loadUnaligned(as: Float.self)), ts1 = _mm512_set1_ps(a1.loadUnaligned(as: Float.self))
            let ts2 = _mm512_set1_ps(a2.loadUnaligned(as: Float.self)), ts3 = _mm512_set1_ps(a3.loadUnaligned(as: Float.self))
            let d0 = _mm512_mul_ps(rowD, ts0), d1 = _mm512_mul_ps(rowD, ts1)
            let d2 = _mm512_mul_ps(rowD, ts2), d3 = _mm512_mul_ps(rowD, ts3)
            let dmin0 = _mm512_mul_ps(rowDmin, ts0), dmin1 = _mm512_mul_ps(rowDmin, ts1)
            let dmin2 = _mm512_mul_ps(rowDmin, ts2), dmin3 = _mm512_mul_ps(rowDmin, ts3)
            let p0 = subBlockSumPairs(a0), p1 = subBlockSumPairs(a1), p2 = subBlockSumPairs(a2), p3 = subBlockSumPairs(a3)
            @inline(__always) func chunk(_ c: Int, _ s0: Int32, _ s1: Int32, _ s2: Int32, _ s3: Int32) {
                var i0 = _mm512_setzero_si512(), i1 = i0, i2 = i0, i3 = i0
                for subBlock in 2 * c ..< 2 * c + 2 {
                    var q0 = _mm512_setzero_si512(), q1 = q0, q2 = q0, q3 = q0
                    let values = x + 512 * subBlock
                    let q = 4 + 32 * subBlock
                    for quad in 0 ..< 8 {
                        let w = values.load(fromByteOffset: 64 * quad, as: __m512i.self)
                        q0 = _mm512_dpbusd_epi32(q0, w, broadcast(a0, q + 4 * quad))
                        q1 = _mm512_dpbusd_epi32(q1, w, broadcast(a1, q + 4 * quad))
                        q2 = _mm512_dpbusd_epi32(q2, w, broadcast(a2, q + 4 * quad))
                        q3 = _mm512_dpbusd_epi32(q3, w, broadcast(a3, q + 4 * quad))
                    }
                    let scale = x.load(fromByteOffset: scalesOffset + 64 * subBlock, as: __m512i.self)
                    i0 = _mm512_add_epi32(i0, _mm512_mullo_epi32(q0, scale))
                    i1 = _mm512_add_epi32(i1, _mm512_mullo_epi32(q1, scale))
                    i2 = _mm512_add_epi32(i2, _mm512_mullo_epi32(q2, scale))
                    i3 = _mm512_add_epi32(i3, _mm512_mullo_epi32(q3, scale))
                }
                acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i0), d0, acc0)
                acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i1), d1, acc1)
                acc2 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i2), d2, acc2)
                acc3 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i3), d3, acc3)
                let mins = x.load(fromByteOffset: minsOffset + 64 * c, as: __m512i.self)
                let zero = _mm512_setzero_si512()
                min0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpwssd_epi32(zero, mins, _mm512_set1_epi32(s0))), dmin0, min0)
                min1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpwssd_epi32(zero, mins, _mm512_set1_epi32(s1))), dmin1, min1)
                min2 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpwssd_epi32(zero, mins, _mm512_set1_epi32(s2))), dmin2, min2)
                min3 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpwssd_epi32(zero, mins, _mm512_set1_epi32(s3))), dmin3, min3)
            }
            // Chunk by chunk, as `Q4_KFormat.dotReference` folds them.
            chunk(0, p0.0, p1.0, p2.0, p3.0)
            chunk(1, p0.1, p1.1, p2.1, p3.1)
            chunk(2, p0.2, p1.2, p2.2, p3.2)
            chunk(3, p0.3, p1.3, p2.3, p3.3)
        }
        let o = UnsafeMutableRawPointer(out)
        let rowStride = 4 * outputStride
        _mm512_storeu_ps(o, _mm512_sub_ps(acc0, min0))
        _mm512_storeu_ps(o + rowStride, _mm512_sub_ps(acc1, min1))
        _mm512_storeu_ps(o + 2 * rowStride, _mm512_sub_ps(acc2, min2))
        _mm512_storeu_ps(o + 3 * rowStride, _mm512_sub_ps(acc3, min3))
    }

    /// Four activation bytes at `offset`, in every 32-bit lane.
    @inline(__always)
    static func broadcast(_ a: UnsafeRawPointer, _ offset: Int) -> __m512i {
        _mm512_set1_epi32(a.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }

    /// The token's 32-value sums of sub-blocks 2c and 2c + 1 as a word pair, for chunks c = 0…3
    /// (from the Q8_K block's sixteen 16-value sums; each 32-value sum fits in 16 bits).
    @inline(__always)
    static func subBlockSumPairs(_ a: UnsafeRawPointer) -> (Int32, Int32, Int32, Int32) {
        @inline(__always) func pair(_ chunk: Int) -> Int32 {
            @inline(__always) func sum(_ g: Int) -> Int32 { Int32(a.loadUnaligned(fromByteOffset: 260 + 2 * g, as: Int16.self)) }
            let low = sum(4 * chunk) &+ sum(4 * chunk + 1), high = sum(4 * chunk + 2) &+ sum(4 * chunk + 3)
            return (low & 0xFFFF) | (high << 16)
        }
        return (pair(0), pair(1), pair(2), pair(3))
    }

    /// Repacks `blocks` super-blocks of the sixteen rows at `rows` into `destination`.
    @inline(__always)
    static func interleave(_ rows: UnsafeRawPointer, rowBytes: Int, blocks: Int, into destination: UnsafeMutableRawPointer) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        for block in 0 ..< blocks {
            let out = destination + block * groupBlockBytes
            @inline(__always) func x(_ r: Int) -> UnsafeRawPointer { rows + r * rowBytes + block * blockBytes }
            for half in 0 ..< 2 {
                @inline(__always) func eight(_ load: (Int) -> __m256i) -> Octet {
                    (load(8 * half), load(8 * half + 1), load(8 * half + 2), load(8 * half + 3),
                     load(8 * half + 4), load(8 * half + 5), load(8 * half + 6), load(8 * half + 7))
                }
                // Sub-block 2c holds the low nibbles of chunk c's 32 bytes, 2c + 1 the high.
                for chunk in 0 ..< 4 {
                    let offset = 16 + 32 * chunk
                    storeTransposed(eight { _mm256_and_si256(Wide.load32(x($0) + offset), lowNibbles) },
                                    to: out + 512 * (2 * chunk) + 32 * half)
                    storeTransposed(eight { _mm256_and_si256(_mm256_srli_epi16(Wide.load32(x($0) + offset), 4), lowNibbles) },
                                    to: out + 512 * (2 * chunk + 1) + 32 * half)
                }
            }
            for r in 0 ..< rowsPerGroup {
                let base = x(r)
                let w0 = base.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                let w1 = base.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
                let w2 = base.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
                let low6: UInt32 = 0x3F3F_3F3F, nibbles: UInt32 = 0x0F0F_0F0F, twoBits: UInt32 = 0x0303_0303
                let scales = (w0 & low6, (w2 & nibbles) | (((w0 >> 6) & twoBits) << 4))
                let mins = (w1 & low6, ((w2 >> 4) & nibbles) | (((w1 >> 6) & twoBits) << 4))
                @inline(__always) func byte(_ pair: (UInt32, UInt32), _ index: Int) -> UInt32 {
                    ((index < 4 ? pair.0 : pair.1) >> UInt32(8 * (index & 3))) & 0xFF
                }
                for subBlock in 0 ..< 8 {
                    out.storeBytes(of: byte(scales, subBlock), toByteOffset: scalesOffset + 64 * subBlock + 4 * r, as: UInt32.self)
                }
                for chunk in 0 ..< 4 {
                    let pair = byte(mins, 2 * chunk) | byte(mins, 2 * chunk + 1) << 16
                    out.storeBytes(of: pair, toByteOffset: minsOffset + 64 * chunk + 4 * r, as: UInt32.self)
                }
                out.storeBytes(of: Wide.half(base, 0), toByteOffset: dOffset + 4 * r, as: Float.self)
                out.storeBytes(of: Wide.half(base, 2), toByteOffset: dminOffset + 4 * r, as: Float.self)
            }
        }
    }
}

/// Eight 256-bit rows.
typealias Octet = (__m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i)

/// Eight rows' vectors of eight 4-byte quads (`rows.r` holds quads 0…7 of row r) stored
/// transposed: quad k of the eight rows, row r in lane r, at `destination + 64·k` (the other
/// eight rows of a sixteen-row group go in the other 32 bytes).
@inline(__always)
func storeTransposed(_ rows: Octet, to destination: UnsafeMutableRawPointer) {
    let t0 = _mm256_unpacklo_epi32(rows.0, rows.1), t1 = _mm256_unpackhi_epi32(rows.0, rows.1)
    let t2 = _mm256_unpacklo_epi32(rows.2, rows.3), t3 = _mm256_unpackhi_epi32(rows.2, rows.3)
    let t4 = _mm256_unpacklo_epi32(rows.4, rows.5), t5 = _mm256_unpackhi_epi32(rows.4, rows.5)
    let t6 = _mm256_unpacklo_epi32(rows.6, rows.7), t7 = _mm256_unpackhi_epi32(rows.6, rows.7)
    let u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2)
    let u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3)
    let u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6)
    let u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7)
    @inline(__always) func store(_ quad: Int, _ vector: __m256i) { Wide.store32(destination + 64 * quad, vector) }
    store(0, _mm256_set_m128i(u4.lowHalf, u0.lowHalf)); store(4, _mm256_set_m128i(u4.highHalf, u0.highHalf))
    store(1, _mm256_set_m128i(u5.lowHalf, u1.lowHalf)); store(5, _mm256_set_m128i(u5.highHalf, u1.highHalf))
    store(2, _mm256_set_m128i(u6.lowHalf, u2.lowHalf)); store(6, _mm256_set_m128i(u6.highHalf, u2.highHalf))
    store(3, _mm256_set_m128i(u7.lowHalf, u3.lowHalf)); store(7, _mm256_set_m128i(u7.highHalf, u3.highHalf))
}
#endif
