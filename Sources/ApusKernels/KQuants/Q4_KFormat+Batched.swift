#if arch(x86_64)
import _Builtin_intrinsics.intel

// Q4_K in the tiled batched product (see TiledProduct). A super-block unpacks to its 256
// nibbles as bytes (per 64-value chunk: 32 low, then 32 high), the eight sub-block scales
// as ready `vpmaddwd` operands (one 16-word broadcast each) and the mins as four word
// pairs (chunk c: mins 2c and 2c + 1); its d and dmin widen to Float. A token's table
// entry is its Float scale and, per chunk, its two 32-value sums as a word pair, laid out
// chunk-major so one `vpmaddwd` gives a chunk's min term for eight tokens.
//
// Per chunk the eight tokens' exact integer sums become one vector of totals, which feeds
// both of llama.cpp's orders at once (Q4_KFormat.dot(_:_:count:token:of:)): folded chunk
// by chunk (its four-token kernel) and once per super-block (its one-token kernel). The
// results take, per token, the order llama.cpp's kernel for that token position uses.

extension Q4_KFormat: TiledBatchedProduct {
    static var valuesPerBlock: Int { KQuant.superBlock }
    /// 256 nibble bytes, 8 × 32 bytes of broadcast scales, the 8 mins as words (16 bytes, padded).
    static var unpackedBlockBytes: Int { 544 }
    static var rowFloatsPerBlock: Int { 2 }
    /// Eight token scales (32 bytes), then per chunk the eight tokens' two sub-block sums
    /// as word pairs (4 × 32 bytes).
    static var tokenTableBytes: Int { 160 }

    private static let scalesStart = 256
    private static let minsStart = 512

    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, into destination: UnsafeMutableRawPointer,
                       _ rowFloats: UnsafeMutablePointer<Float>) {
        let lowNibbles = _mm256_set1_epi8(0x0F)
        for chunk in 0 ..< 4 {
            let bits = KQuant.load32(block, quantsOffset + 32 * chunk)
            destination.storeBytes(of: _mm256_and_si256(bits, lowNibbles), toByteOffset: 64 * chunk, as: __m256i.self)
            destination.storeBytes(of: _mm256_and_si256(_mm256_srli_epi16(bits, 4), lowNibbles),
                                   toByteOffset: 64 * chunk + 32, as: __m256i.self)
        }
        let scalesAndMins = KQuant.wordScalesAndMins(block + scalesOffset)
        let scales128 = _mm256_castsi256_si128(scalesAndMins)
        let scales = _mm256_set_m128i(scales128, scales128)
        for subBlock in 0 ..< 8 {
            destination.storeBytes(of: _mm256_shuffle_epi8(scales, broadcastWord(subBlock)),
                                   toByteOffset: scalesStart + 32 * subBlock, as: __m256i.self)
        }
        // Eight mins as words: 32-bit word c is the pair (min 2c, min 2c + 1).
        destination.storeBytes(of: scalesAndMins.highHalf, toByteOffset: minsStart, as: __m128i.self)
        rowFloats[0] = KQuant.half(block, 0)
        rowFloats[1] = KQuant.half(block, 2)
    }

    @inline(__always)
    static func tabulate(_ tokens: EightTokens, block: Int, into table: UnsafeMutableRawPointer) {
        let offset = block * Q8_KFormat.blockBytes
        for t in 0 ..< TiledProduct.width {
            let y = TiledProduct.token(t, of: tokens) + offset
            table.storeBytes(of: y.loadUnaligned(as: Float.self), toByteOffset: 4 * t, as: Float.self)
            let groupSums = KQuant.load32(y, Q8_KFormat.sumsOffset)
            // Pairs of 16-value sums make the eight 32-value sums each min applies to.
            let pairs = unsafeBitCast(_mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf), to: SIMD4<Int32>.self)
            for chunk in 0 ..< 4 {
                table.storeBytes(of: pairs[chunk], toByteOffset: 32 + 32 * chunk + 4 * t, as: Int32.self)
            }
        }
    }

    /// Four vectors over the eight tokens: the chunk-folded sum and min sum, then the
    /// super-block-folded sum and min sum.
    static var accumulatorBytes: Int { 128 }
    static var workBytesPerBlock: Int { 0 }

    @inline(__always)
    static func accumulate(_ unpacked: UnsafeRawPointer, _ rowFloats: UnsafePointer<Float>,
                           _ tables: UnsafeRawPointer, _ y: EightTokens, span: Range<Int>,
                           into state: UnsafeMutableRawPointer, work: UnsafeMutableRawPointer) {
        let accumulators = state.bindMemory(to: __m256.self, capacity: 4)
        var chunkFolded = accumulators[0], chunkFoldedMins = accumulators[1]
        var blockFolded = accumulators[2], blockFoldedMins = accumulators[3]
        for block in span {
            let x = unpacked + block * unpackedBlockBytes
            let table = tables + block * tokenTableBytes
            let q8 = block * Q8_KFormat.blockBytes + Q8_KFormat.quantsOffset
            // d_x·d_a and dmin_x·d_a for the eight tokens (llama.cpp's column × row scale).
            let tokenScales = table.loadUnaligned(as: __m256.self)
            let d = _mm256_mul_ps(_mm256_set1_ps(rowFloats[2 * block]), tokenScales)
            let dmin = _mm256_mul_ps(_mm256_set1_ps(rowFloats[2 * block + 1]), tokenScales)
            let minPairs = unsafeBitCast(x.load(fromByteOffset: minsStart, as: __m128i.self), to: SIMD4<Int32>.self)
            var integerTotal = _mm256_setzero_si256(), minTotal = _mm256_setzero_si256()
            for chunk in 0 ..< 4 {
                let low = x.load(fromByteOffset: 64 * chunk, as: __m256i.self)
                let high = x.load(fromByteOffset: 64 * chunk + 32, as: __m256i.self)
                let scaleLow = x.load(fromByteOffset: scalesStart + 64 * chunk, as: __m256i.self)
                let scaleHigh = x.load(fromByteOffset: scalesStart + 64 * chunk + 32, as: __m256i.self)
                let offset = q8 + 64 * chunk
                let integers = KQuant.laneTotals(
                    chunkProducts(low, high, scaleLow, scaleHigh, y.0 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.1 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.2 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.3 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.4 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.5 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.6 + offset),
                    chunkProducts(low, high, scaleLow, scaleHigh, y.7 + offset))
                let mins = _mm256_madd_epi16(table.load(fromByteOffset: 32 + 32 * chunk, as: __m256i.self),
                                             _mm256_set1_epi32(minPairs[chunk]))
                chunkFolded = _mm256_fmadd_ps(_mm256_cvtepi32_ps(integers), d, chunkFolded)
                chunkFoldedMins = _mm256_fmadd_ps(_mm256_cvtepi32_ps(mins), dmin, chunkFoldedMins)
                integerTotal = _mm256_add_epi32(integerTotal, integers)
                minTotal = _mm256_add_epi32(minTotal, mins)
            }
            blockFolded = _mm256_fmadd_ps(_mm256_cvtepi32_ps(integerTotal), d, blockFolded)
            blockFoldedMins = _mm256_fmadd_ps(_mm256_cvtepi32_ps(minTotal), dmin, blockFoldedMins)
        }
        accumulators[0] = chunkFolded
        accumulators[1] = chunkFoldedMins
        accumulators[2] = blockFolded
        accumulators[3] = blockFoldedMins
    }

    @inline(__always)
    static func results(_ state: UnsafeRawPointer, firstToken: Int, of tokens: Int) -> SIMD8<Float> {
        let accumulators = state.assumingMemoryBound(to: SIMD8<Float>.self)
        let fourTokenOrder = accumulators[0] - accumulators[1], oneTokenOrder = accumulators[2] - accumulators[3]
        let fourTokenEnd = tokens / 4 * 4
        var results = oneTokenOrder
        for t in 0 ..< 8 where firstToken + t < fourTokenEnd { results[t] = fourTokenOrder[t] }
        return results
    }

    /// One 64-value chunk of one token: low nibbles × first 32 activations and high
    /// nibbles × next 32, each times its sub-block scale, as eight 32-bit sums.
    @inline(__always)
    static func chunkProducts(_ low: __m256i, _ high: __m256i, _ scaleLow: __m256i, _ scaleHigh: __m256i,
                              _ q8: UnsafeRawPointer) -> __m256i {
        let productsLow = _mm256_madd_epi16(scaleLow, _mm256_maddubs_epi16(low, KQuant.load32(q8, 0)))
        let productsHigh = _mm256_madd_epi16(scaleHigh, _mm256_maddubs_epi16(high, KQuant.load32(q8, 32)))
        return _mm256_add_epi32(productsLow, productsHigh)
    }
}
#endif
