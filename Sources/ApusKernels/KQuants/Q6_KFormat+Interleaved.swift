#if arch(x86_64)
import _Builtin_intrinsics.intel

// Q6_K in the interleaved batched product (InterleavedProduct). Per super-block of eight
// rows: for 16-value group g, quad k, the eight rows' unsigned 6-bit values 16·g + 4·k … + 3
// as bytes; each group's scale as a word pair per row, for `vpmaddwd` after two quads' pair
// sums add up in 16 bits (|sum| ≤ 4 · 63 · 128 < 2^15); each pair of groups' scales times
// −32 as a word pair per row, against the token's two 16-value sums (the −32 offset of the
// values, exact in 32 bits); then the rows' d.
//
// The kernel forms each super-block's exact `S = Σ scale·(q − 32)·a` and folds it as
// `dotReference` does (its one order), so results equal the single dots bit for bit.

extension Q6_KFormat: InterleavedProduct {
    /// 2048 bytes of values (16 groups × 4 quads × 32), the group scales (16 × 32), the
    /// offset pairs (8 × 32), the rows' d (32).
    static var interleavedBlockBytes: Int { 2048 + 512 + 256 + 32 }
    static var interleavedMinimumTokens: Int { InterleavedProductLayout.tokens }
    private static let interleavedScales = 2048
    private static let interleavedOffsets = 2048 + 512
    private static let interleavedHalves = 2048 + 512 + 256

    @inline(__always)
    static func interleave(_ weights: WeightMatrix, firstRow: Int, blocks: Int, into destination: UnsafeMutableRawPointer) {
        for block in 0 ..< blocks {
            let out = destination + block * interleavedBlockBytes
            @inline(__always) func x(_ r: Int) -> UnsafeRawPointer { weights.row(firstRow + r) + block * blockBytes }
            for half in 0 ..< 2 {
                // Four runs of 32 consecutive values per row: quad j of run `run` is quad
                // 8·run + j of the half, i.e. quad j % 4 of group 8·half + 2·run + j / 4, and
                // groups are 128 bytes apart, so run `run` of the eight rows lands at
                // 1024·half + 256·run.
                let r0 = unpackValues(x(0), half: half), r1 = unpackValues(x(1), half: half)
                let r2 = unpackValues(x(2), half: half), r3 = unpackValues(x(3), half: half)
                let r4 = unpackValues(x(4), half: half), r5 = unpackValues(x(5), half: half)
                let r6 = unpackValues(x(6), half: half), r7 = unpackValues(x(7), half: half)
                let base = out + 1024 * half
                InterleavedProductLayout.storeTransposed((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0, r6.0, r7.0), to: base)
                InterleavedProductLayout.storeTransposed((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1, r6.1, r7.1), to: base + 256)
                InterleavedProductLayout.storeTransposed((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2, r6.2, r7.2), to: base + 512)
                InterleavedProductLayout.storeTransposed((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3, r6.3, r7.3), to: base + 768)
            }
            for r in 0 ..< InterleavedProductLayout.rows {
                for group in 0 ..< 16 {
                    let scale = UInt32(UInt16(bitPattern: Int16(x(r).load(fromByteOffset: scalesOffset + group, as: Int8.self))))
                    out.storeBytes(of: scale | scale << 16, toByteOffset: interleavedScales + 32 * group + 4 * r, as: UInt32.self)
                }
                for pair in 0 ..< 8 {
                    let first = Int16(x(r).load(fromByteOffset: scalesOffset + 2 * pair, as: Int8.self)) * -32
                    let second = Int16(x(r).load(fromByteOffset: scalesOffset + 2 * pair + 1, as: Int8.self)) * -32
                    let words = UInt32(UInt16(bitPattern: first)) | UInt32(UInt16(bitPattern: second)) << 16
                    out.storeBytes(of: words, toByteOffset: interleavedOffsets + 32 * pair + 4 * r, as: UInt32.self)
                }
                out.storeBytes(of: KQuant.half(x(r), scaleOffset), toByteOffset: interleavedHalves + 4 * r, as: Float.self)
            }
        }
    }

    @inline(__always)
    static func fourTokens(_ group: UnsafeRawPointer, blocks: Int, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer,
                           _ y2: UnsafeRawPointer, _ y3: UnsafeRawPointer)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        for block in 0 ..< blocks {
            let x = group + block * interleavedBlockBytes
            let offset = block * Q8_KFormat.blockBytes
            let a0 = y0 + offset, a1 = y1 + offset, a2 = y2 + offset, a3 = y3 + offset
            var total0 = _mm256_setzero_si256(), total1 = total0, total2 = total0, total3 = total0
            for group in 0 ..< 16 {
                let values = x + 128 * group
                let scale = x.load(fromByteOffset: interleavedScales + 32 * group, as: __m256i.self)
                for pair in 0 ..< 2 {
                    let w0 = values.load(fromByteOffset: 64 * pair, as: __m256i.self)
                    let w1 = values.load(fromByteOffset: 64 * pair + 32, as: __m256i.self)
                    let q = Q8_KFormat.quantsOffset + 16 * group + 8 * pair
                    @inline(__always) func scaled(_ a: UnsafeRawPointer) -> __m256i {
                        _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(w0, broadcast(a, q)),
                                                           _mm256_maddubs_epi16(w1, broadcast(a, q + 4))), scale)
                    }
                    total0 = _mm256_add_epi32(total0, scaled(a0))
                    total1 = _mm256_add_epi32(total1, scaled(a1))
                    total2 = _mm256_add_epi32(total2, scaled(a2))
                    total3 = _mm256_add_epi32(total3, scaled(a3))
                }
            }
            for pair in 0 ..< 8 {
                let offsets = x.load(fromByteOffset: interleavedOffsets + 32 * pair, as: __m256i.self)
                let sums = Q8_KFormat.sumsOffset + 4 * pair
                total0 = _mm256_add_epi32(total0, _mm256_madd_epi16(offsets, broadcast(a0, sums)))
                total1 = _mm256_add_epi32(total1, _mm256_madd_epi16(offsets, broadcast(a1, sums)))
                total2 = _mm256_add_epi32(total2, _mm256_madd_epi16(offsets, broadcast(a2, sums)))
                total3 = _mm256_add_epi32(total3, _mm256_madd_epi16(offsets, broadcast(a3, sums)))
            }
            // (d_x · S) · d_a, as `dotReference` rounds it.
            let rowD = x.load(fromByteOffset: interleavedHalves, as: __m256.self)
            acc0 = _mm256_fmadd_ps(_mm256_mul_ps(rowD, _mm256_cvtepi32_ps(total0)), _mm256_set1_ps(a0.loadUnaligned(as: Float.self)), acc0)
            acc1 = _mm256_fmadd_ps(_mm256_mul_ps(rowD, _mm256_cvtepi32_ps(total1)), _mm256_set1_ps(a1.loadUnaligned(as: Float.self)), acc1)
            acc2 = _mm256_fmadd_ps(_mm256_mul_ps(rowD, _mm256_cvtepi32_ps(total2)), _mm256_set1_ps(a2.loadUnaligned(as: Float.self)), acc2)
            acc3 = _mm256_fmadd_ps(_mm256_mul_ps(rowD, _mm256_cvtepi32_ps(total3)), _mm256_set1_ps(a3.loadUnaligned(as: Float.self)), acc3)
        }
        return (acc0, acc1, acc2, acc3)
    }
}
#endif
