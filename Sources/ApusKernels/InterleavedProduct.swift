#if arch(x86_64)
import _Builtin_intrinsics.intel

// The batched product of the K-quant formats (Q4_K, Q6_K): eight weight rows interleaved,
// four tokens at a time.
//
// A task's rows are repacked once into per-thread scratch, eight rows to a group: per
// super-block, for each 4-value quad, the eight rows' four values as bytes side by side
// (32 bytes, row r in 32-bit lane r), followed by the rows' scales in the same lane order.
// One `vpmaddubsw` of such a vector with a token's four activations broadcast gives all
// eight rows' products, so the integer work per product is a `vpmaddubsw`, a 16-bit add and
// a broadcast load shared by eight rows, and the vector loaded for a quad serves four
// tokens. Each (row, token) integer sum is exact in any order; the format folds it into
// float in its one order (`dotReference`: Q6_K once per super-block, Q4_K once per 64-value
// chunk), so results equal the single dots bit for bit whatever the batch.
//
// Tokens go four at a time; the last tokens of a batch that is not a multiple of four, and
// rows beyond the last group of eight, go to single dots (`dotFourRows`, `dot`). The
// tokens pass over a task's repacked rows in blocks whose activations stay in L2 beside them.

/// A format whose batched product runs on eight interleaved rows.
protocol InterleavedProduct: BatchedProduct {
    /// Bytes of one repacked super-block of eight rows.
    static var interleavedBlockBytes: Int { get }
    /// Products of fewer tokens go to single dots (a speed choice only: the orders are the same).
    static var interleavedMinimumTokens: Int { get }
    /// Repacks super-blocks `0..<blocks` of rows `firstRow…firstRow + 7` into `destination`.
    static func interleave(_ weights: WeightMatrix, firstRow: Int, blocks: Int, into destination: UnsafeMutableRawPointer)
    /// The dots of one repacked group of eight rows (`blocks` super-blocks) with four tokens'
    /// activation rows; lane r of result t is row r against token t.
    static func fourTokens(_ group: UnsafeRawPointer, blocks: Int, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer,
                           _ y2: UnsafeRawPointer, _ y3: UnsafeRawPointer)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
}

enum InterleavedProductLayout {
    /// Rows interleaved in a group: one per 32-bit lane.
    static let rows = 8
    /// Tokens per pass over a group.
    static let tokens = 4
    /// Activation bytes of the tokens that pass over one task's repacked rows before the
    /// next tokens come: a share of L2 (1.25 MB on the machines measured) beside the rows.
    static let tokenBlockBytes = 393_216

    /// Eight rows' vectors of eight 4-byte quads (`rows.r` holds quads 0…7 of row r) stored
    /// transposed: quad k of the eight rows, row r in lane r, at `destination + 32·k`.
    /// An 8 × 8 transpose in 24 shuffles, so repacking costs little even when few tokens
    /// share it.
    @inline(__always)
    static func storeTransposed(_ rows: (__m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i),
                                to destination: UnsafeMutableRawPointer) {
        // Pairs of rows interleaved by quad, then by pairs of quads, then halves exchanged.
        let t0 = _mm256_unpacklo_epi32(rows.0, rows.1), t1 = _mm256_unpackhi_epi32(rows.0, rows.1)
        let t2 = _mm256_unpacklo_epi32(rows.2, rows.3), t3 = _mm256_unpackhi_epi32(rows.2, rows.3)
        let t4 = _mm256_unpacklo_epi32(rows.4, rows.5), t5 = _mm256_unpackhi_epi32(rows.4, rows.5)
        let t6 = _mm256_unpacklo_epi32(rows.6, rows.7), t7 = _mm256_unpackhi_epi32(rows.6, rows.7)
        // u0: rows 0–3 of quads 0 | 4; u1: 1 | 5; u2: 2 | 6; u3: 3 | 7; u4…u7 the same for rows 4–7.
        let u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2)
        let u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3)
        let u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6)
        let u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7)
        @inline(__always) func store(_ quad: Int, _ vector: __m256i) {
            destination.storeBytes(of: vector, toByteOffset: 32 * quad, as: __m256i.self)
        }
        store(0, _mm256_set_m128i(u4.lowHalf, u0.lowHalf)); store(4, _mm256_set_m128i(u4.highHalf, u0.highHalf))
        store(1, _mm256_set_m128i(u5.lowHalf, u1.lowHalf)); store(5, _mm256_set_m128i(u5.highHalf, u1.highHalf))
        store(2, _mm256_set_m128i(u6.lowHalf, u2.lowHalf)); store(6, _mm256_set_m128i(u6.highHalf, u2.highHalf))
        store(3, _mm256_set_m128i(u7.lowHalf, u3.lowHalf)); store(7, _mm256_set_m128i(u7.highHalf, u3.highHalf))
    }

    /// `load(r)` for the eight rows r = 0…7, as `storeTransposed` takes them.
    @inline(__always)
    static func eightRows(_ load: (Int) -> __m256i) -> (__m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i, __m256i) {
        (load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7))
    }
}

extension InterleavedProduct {
    static func multiply(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                         activationRowBytes stride: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        let width = InterleavedProductLayout.tokens
        let groups = rows.count / InterleavedProductLayout.rows
        let grouped = rows.lowerBound ..< (rows.lowerBound + groups * InterleavedProductLayout.rows)
        let fourTokenEnd = tokens >= interleavedMinimumTokens ? tokens / width * width : 0
        if groups > 0, fourTokenEnd > 0 {
            let blocks = weights.columns / KQuant.superBlock
            let groupBytes = blocks * interleavedBlockBytes
            ThreadScratch.withBytes(groups * groupBytes) { scratch in
                for group in 0 ..< groups {
                    interleave(weights, firstRow: grouped.lowerBound + group * InterleavedProductLayout.rows,
                               blocks: blocks, into: scratch + group * groupBytes)
                }
                let tokensPerBlock = max(width, InterleavedProductLayout.tokenBlockBytes / stride / width * width)
                for blockStart in Swift.stride(from: 0, to: fourTokenEnd, by: tokensPerBlock) {
                    for group in 0 ..< groups {
                        let column = output + grouped.lowerBound + group * InterleavedProductLayout.rows
                        for first in Swift.stride(from: blockStart, to: min(fourTokenEnd, blockStart + tokensPerBlock), by: width) {
                            let y = activations + first * stride
                            let results = fourTokens(scratch + group * groupBytes, blocks: blocks,
                                                     y, y + stride, y + 2 * stride, y + 3 * stride)
                            let out = UnsafeMutableRawPointer(column + first * weights.rows)
                            let tokenStride = 4 * weights.rows
                            out.storeBytes(of: results.0, as: SIMD8<Float>.self)
                            (out + tokenStride).storeBytes(of: results.1, as: SIMD8<Float>.self)
                            (out + 2 * tokenStride).storeBytes(of: results.2, as: SIMD8<Float>.self)
                            (out + 3 * tokenStride).storeBytes(of: results.3, as: SIMD8<Float>.self)
                        }
                    }
                }
            }
        }
        if !grouped.isEmpty {
            BatchedSingleDots.multiply(Self.self, weights, rows: grouped, activations, stride, tokens: tokens,
                                       into: output, firstToken: fourTokenEnd)
        }
        if grouped.upperBound < rows.upperBound {
            BatchedSingleDots.multiply(Self.self, weights, rows: grouped.upperBound ..< rows.upperBound, activations,
                                       stride, tokens: tokens, into: output)
        }
    }

    /// Four activation bytes at `offset`, repeated in every 32-bit lane.
    @inline(__always)
    static func broadcast(_ a: UnsafeRawPointer, _ offset: Int) -> __m256i {
        _mm256_set1_epi32(a.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }
}
#endif
