#if arch(x86_64)
import _Builtin_intrinsics.intel

/// The batched Q6_K product with AVX-512 VNNI: sixteen weight rows interleaved, four tokens
/// per pass (the same scheme as `AVX512Q4K`).
///
/// A group's super-block is repacked as: for 32-value chunk c and quad k, the sixteen rows'
/// unsigned six-bit values `q` (0…63) side by side (64 bytes, row r in lane r); the rows'
/// sixteen group scales as 32-bit lanes; the scales again as word pairs (groups 2j, 2j + 1);
/// the rows' d. Per (row, token) the exact `S = Σ scale·(q − 32)·a` is formed as
/// `Σ_g scale_g·(Σ q·a)_g − 32·Σ_g scale_g·bsum_g` and folded as `Q6_KFormat.dotReference`
/// does: `acc += (d·S)·d_a`, one multiply and one FMA, so results equal it bit for bit.
public enum AVX512Q6K {
    /// Rows per group.
    public static let rowsPerGroup = 16
    /// Tokens per pass.
    public static let tokensPerPass = 4
    static let blockBytes = 210
    static let activationBlockBytes = 292
    /// 4096 bytes of values, 1024 of scales, 512 of scale pairs, 64 of d.
    static let groupBlockBytes = 4096 + 1024 + 512 + 64
    static let scalesOffset = 4096, pairsOffset = 5120, dOffset = 5632

    /// Scratch bytes `multiply` needs for `groups` groups of `blocks` super-blocks.
    public static func scratchBytes(groups: Int, blocks: Int) -> Int { groups * blocks * groupBlockBytes }

    /// As `AVX512Q4K.multiply`, for Q6_K weights.
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
        for block in 0 ..< blocks {
            let x = packed + block * groupBlockBytes
            let a0 = y + block * activationBlockBytes, a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride
            // −32·Σ scale_g·bsum_g, exact, as the starting value of the integer sums.
            var i0 = _mm512_setzero_si512(), i1 = i0, i2 = i0, i3 = i0
            for pair in 0 ..< 8 {
                let scales = x.load(fromByteOffset: pairsOffset + 64 * pair, as: __m512i.self)
                i0 = _mm512_dpwssd_epi32(i0, scales, broadcast(a0, 260 + 4 * pair))
                i1 = _mm512_dpwssd_epi32(i1, scales, broadcast(a1, 260 + 4 * pair))
                i2 = _mm512_dpwssd_epi32(i2, scales, broadcast(a2, 260 + 4 * pair))
                i3 = _mm512_dpwssd_epi32(i3, scales, broadcast(a3, 260 + 4 * pair))
            }
            i0 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(i0, 5))
            i1 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(i1, 5))
            i2 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(i2, 5))
            i3 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(i3, 5))
            for group in 0 ..< 16 {
                var s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0
                let values = x + 256 * group
                let q = 4 + 16 * group
                for quad in 0 ..< 4 {
                    let w = values.load(fromByteOffset: 64 * quad, as: __m512i.self)
                    s0 = _mm512_dpbusd_epi32(s0, w, broadcast(a0, q + 4 * quad))
                    s1 = _mm512_dpbusd_epi32(s1, w, broadcast(a1, q + 4 * quad))
                    s2 = _mm512_dpbusd_epi32(s2, w, broadcast(a2, q + 4 * quad))
                    s3 = _mm512_dpbusd_epi32(s3, w, broadcast(a3, q + 4 * quad))
                }
                let scale = x.load(fromByteOffset: scalesOffset + 64 * group, as: __m512i.self)
                i0 = _mm512_add_epi32(i0, _mm512_mullo_epi32(s0, scale))
                i1 = _mm512_add_epi32(i1, _mm512_mullo_epi32(s1, scale))
                i2 = _mm512_add_epi32(i2, _mm512_mullo_epi32(s2, scale))
                i3 = _mm512_add_epi32(i3, _mm512_mullo_epi32(s3, scale))
            }
            let rowD = x.load(fromByteOffset: dOffset, as: __m512.self)
            acc0 = _mm512_fmadd_ps(_mm512_mul_ps(rowD, _mm512_cvtepi32_ps(i0)), _mm512_set1_ps(a0.loadUnaligned(as: Float.self)), acc0)
            acc1 = _mm512_fmadd_ps(_mm512_mul_ps(rowD, _mm512_cvtepi32_ps(i1)), _mm512_set1_ps(a1.loadUnaligned(as: Float.self)), acc1)
            acc2 = _mm512_fmadd_ps(_mm512_mul_ps(rowD, _mm512_cvtepi32_ps(i2)), _mm512_set1_ps(a2.loadUnaligned(as: Float.self)), acc2)
            acc3 = _mm512_fmadd_ps(_mm512_mul_ps(rowD, _mm512_cvtepi32_ps(i3)), _mm512_set1_ps(a3.loadUnaligned(as: Float.self)), acc3)
        }
        let o = UnsafeMutableRawPointer(out)
        let rowStride = 4 * outputStride
        _mm512_storeu_ps(o, acc0)
        _mm512_storeu_ps(o + rowStride, acc1)
        _mm512_storeu_ps(o + 2 * rowStride, acc2)
        _mm512_storeu_ps(o + 3 * rowStride, acc3)
    }

    /// Four bytes at `offset`, in every 32-bit lane.
    @inline(__always)
    static func broadcast(_ a: UnsafeRawPointer, _ offset: Int) -> __m512i {
        _mm512_set1_epi32(a.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }

    /// Repacks `blocks` super-blocks of the sixteen rows at `rows` into `destination`.
    @inline(__always)
    static func interleave(_ rows: UnsafeRawPointer, rowBytes: Int, blocks: Int, into destination: UnsafeMutableRawPointer) {
        let lowNibbles = _mm256_set1_epi8(0x0F), twoBits = _mm256_set1_epi8(0x03)
        for block in 0 ..< blocks {
            let out = destination + block * groupBlockBytes
            @inline(__always) func x(_ r: Int) -> UnsafeRawPointer { rows + r * rowBytes + block * blockBytes }
            for half in 0 ..< 2 {
                @inline(__always) func eight(_ load: (Int) -> __m256i) -> Octet {
                    (load(8 * half), load(8 * half + 1), load(8 * half + 2), load(8 * half + 3),
                     load(8 * half + 4), load(8 * half + 5), load(8 * half + 6), load(8 * half + 7))
                }
                // Chunk c = 4·h + quarter holds values 128·h + 32·quarter + l: low bits from the
                // nibbles of ql[64·h + 32·(quarter & 1) + l], high bits from qh[32·h + l].
                for h in 0 ..< 2 {
                    for quarter in 0 ..< 4 {
                        storeTransposed(eight { r in
                            let lowBytes = Wide.load32(x(r) + 64 * h + 32 * (quarter & 1))
                            let low = quarter < 2 ? _mm256_and_si256(lowBytes, lowNibbles)
                                : _mm256_and_si256(_mm256_srli_epi16(lowBytes, 4), lowNibbles)
                            let highBytes = Wide.load32(x(r) + 128 + 32 * h)
                            let high = _mm256_and_si256(_mm256_srl_epi16(highBytes, _mm_cvtsi32_si128(Int32(2 * quarter))), twoBits)
                            return _mm256_or_si256(low, _mm256_slli_epi16(high, 4))
                        }, to: out + 512 * (4 * h + quarter) + 32 * half)
                    }
                }
            }
            for r in 0 ..< rowsPerGroup {
                let base = x(r)
                for group in 0 ..< 16 {
                    let scale = Int32(base.load(fromByteOffset: 192 + group, as: Int8.self))
                    out.storeBytes(of: scale, toByteOffset: scalesOffset + 64 * group + 4 * r, as: Int32.self)
                }
                for pair in 0 ..< 8 {
                    let low = UInt32(UInt16(bitPattern: Int16(base.load(fromByteOffset: 192 + 2 * pair, as: Int8.self))))
                    let high = UInt32(UInt16(bitPattern: Int16(base.load(fromByteOffset: 193 + 2 * pair, as: Int8.self))))
                    out.storeBytes(of: low | high << 16, toByteOffset: pairsOffset + 64 * pair + 4 * r, as: UInt32.self)
                }
                out.storeBytes(of: Wide.half(base, 208), toByteOffset: dOffset + 4 * r, as: Float.self)
            }
        }
    }
}
#endif
