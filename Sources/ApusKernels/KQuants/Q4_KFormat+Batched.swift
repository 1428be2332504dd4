#if arch(x86_64)
import _Builtin_intrinsics.intel

// Q4_K in the tiled batched product (see TiledProduct). A super-block unpacks to its 256
// nibbles as bytes (per 64-value chunk: 32 low, then 32 high), the eight sub-block scales
// as ready `vpmaddwd` operands (one 16-word broadcast each) and the eight mins as words
// (twice, for two tokens at once);
// its d and dmin widen to Float. A token's table entry is its Float scale and the eight
// 32-value sums its bsums pair up to. Per token, the integer sums and float operations
// are `dotAVX2`'s, so each result equals the single dot bit for bit.

extension Q4_KFormat: TiledBatchedProduct {
    static var valuesPerBlock: Int { KQuant.superBlock }
    /// 256 nibble bytes, 8 × 32 bytes of broadcast scales, the 8 mins as words in both halves.
    static var unpackedBlockBytes: Int { 544 }
    static var rowFloatsPerBlock: Int { 2 }
    /// Eight token scales (32 bytes), then eight × 8 sub-block sums as words (128 bytes).
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
        let packed = KQuant.scalesAndMins(block + scalesOffset)
        let scalesAndMins = _mm256_cvtepu8_epi16(_mm_set_epi32(
            Int32(bitPattern: packed.3), Int32(bitPattern: packed.2),
            Int32(bitPattern: packed.1), Int32(bitPattern: packed.0)))
        let scales128 = _mm256_castsi256_si128(scalesAndMins)
        let scales = _mm256_set_m128i(scales128, scales128)
        for subBlock in 0 ..< 8 {
            destination.storeBytes(of: _mm256_shuffle_epi8(scales, broadcastWord(subBlock)),
                                   toByteOffset: scalesStart + 32 * subBlock, as: __m256i.self)
        }
        destination.storeBytes(of: _mm256_set_m128i(scalesAndMins.highHalf, scalesAndMins.highHalf),
                               toByteOffset: minsStart, as: __m256i.self)
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
            table.storeBytes(of: _mm_hadd_epi16(groupSums.lowHalf, groupSums.highHalf),
                             toByteOffset: 32 + 16 * t, as: __m128i.self)
        }
    }

    /// Eight 8-lane sums, then four pairs of 4-lane min sums (token 2p in the low half of
    /// pair p, token 2p + 1 in the high half: each half computes what `dotAVX2`'s 4-lane
    /// min accumulator does, two tokens per instruction).
    static var accumulatorBytes: Int { 384 }
    /// Per super-block of a span: d of the eight tokens, then −dmin of each token pair
    /// spread over the halves of a vector.
    static var workBytesPerBlock: Int { 160 }

    @inline(__always)
    static func accumulate(_ unpacked: UnsafeRawPointer, _ rowFloats: UnsafePointer<Float>,
                           _ tables: UnsafeRawPointer, _ y: EightTokens, span: Range<Int>,
                           into state: UnsafeMutableRawPointer, work: UnsafeMutableRawPointer) {
        // Float accumulators stay in scratch: with eight integer sums in flight they would
        // not fit in registers, and each is touched once per super-block.
        let accumulators = state.bindMemory(to: __m256.self, capacity: 12)
        let minAccumulators = accumulators + 8
        // `dotAVX2`'s d = a·d_x and −dmin = (−a)·dmin_x for eight tokens, written by their own
        // loop so the kernel reads them with broadcast loads and memory operands (load ports)
        // instead of extracting lanes on the shuffle port.
        let factors = work.bindMemory(to: __m256.self, capacity: 5 * span.count)
        for block in span {
            let tokenScales = (tables + block * tokenTableBytes).loadUnaligned(as: __m256.self)
            let negativeDmin = _mm256_mul_ps(_mm256_xor_ps(tokenScales, _mm256_set1_ps(-0.0)),
                                             _mm256_set1_ps(rowFloats[2 * block + 1]))
            let entry = factors + 5 * (block - span.lowerBound)
            entry[0] = _mm256_mul_ps(tokenScales, _mm256_set1_ps(rowFloats[2 * block]))
            for pair in 0 ..< 4 {
                entry[1 + pair] = _mm256_permutevar8x32_ps(negativeDmin, _mm256_setr_epi32(
                    Int32(2 * pair), Int32(2 * pair), Int32(2 * pair), Int32(2 * pair),
                    Int32(2 * pair + 1), Int32(2 * pair + 1), Int32(2 * pair + 1), Int32(2 * pair + 1)))
            }
        }
        for block in span {
            let x = unpacked + block * unpackedBlockBytes
            let q8 = block * Q8_KFormat.blockBytes + Q8_KFormat.quantsOffset
            var sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256(), sum2 = _mm256_setzero_si256()
            var sum3 = _mm256_setzero_si256(), sum4 = _mm256_setzero_si256(), sum5 = _mm256_setzero_si256()
            var sum6 = _mm256_setzero_si256(), sum7 = _mm256_setzero_si256()
            for chunk in 0 ..< 4 {
                let low = x.load(fromByteOffset: 64 * chunk, as: __m256i.self)
                let high = x.load(fromByteOffset: 64 * chunk + 32, as: __m256i.self)
                let scaleLow = x.load(fromByteOffset: scalesStart + 64 * chunk, as: __m256i.self)
                let scaleHigh = x.load(fromByteOffset: scalesStart + 64 * chunk + 32, as: __m256i.self)
                let offset = q8 + 64 * chunk
                sum0 = _mm256_add_epi32(sum0, chunkProducts(low, high, scaleLow, scaleHigh, y.0 + offset))
                sum1 = _mm256_add_epi32(sum1, chunkProducts(low, high, scaleLow, scaleHigh, y.1 + offset))
                sum2 = _mm256_add_epi32(sum2, chunkProducts(low, high, scaleLow, scaleHigh, y.2 + offset))
                sum3 = _mm256_add_epi32(sum3, chunkProducts(low, high, scaleLow, scaleHigh, y.3 + offset))
                sum4 = _mm256_add_epi32(sum4, chunkProducts(low, high, scaleLow, scaleHigh, y.4 + offset))
                sum5 = _mm256_add_epi32(sum5, chunkProducts(low, high, scaleLow, scaleHigh, y.5 + offset))
                sum6 = _mm256_add_epi32(sum6, chunkProducts(low, high, scaleLow, scaleHigh, y.6 + offset))
                sum7 = _mm256_add_epi32(sum7, chunkProducts(low, high, scaleLow, scaleHigh, y.7 + offset))
            }
            let table = tables + block * tokenTableBytes
            let entry = factors + 5 * (block - span.lowerBound)
            let d = UnsafeRawPointer(entry).assumingMemoryBound(to: Float.self)
            let mins = x.load(fromByteOffset: minsStart, as: __m256i.self)
            @inline(__always)
            func finish(_ t: Int, _ integerSum: __m256i) {
                accumulators[t] = _mm256_fmadd_ps(_mm256_broadcast_ss(d + t), _mm256_cvtepi32_ps(integerSum), accumulators[t])
            }
            @inline(__always)
            func finishMins(_ pair: Int) {
                let subBlockSums = table.load(fromByteOffset: 32 + 32 * pair, as: __m256i.self)
                let minProducts = _mm256_madd_epi16(mins, subBlockSums)
                minAccumulators[pair] = _mm256_fmadd_ps(entry[1 + pair], _mm256_cvtepi32_ps(minProducts), minAccumulators[pair])
            }
            finish(0, sum0)
            finish(1, sum1)
            finish(2, sum2)
            finish(3, sum3)
            finish(4, sum4)
            finish(5, sum5)
            finish(6, sum6)
            finish(7, sum7)
            for pair in 0 ..< 4 { finishMins(pair) }
        }
    }

    @inline(__always)
    static func results(_ state: UnsafeRawPointer) -> SIMD8<Float> {
        let accumulators = state.assumingMemoryBound(to: __m256.self)
        var results = SIMD8<Float>()
        for t in 0 ..< 8 {
            let minPair = accumulators[8 + t / 2]
            let minLanes = t % 2 == 0 ? minPair.lowHalf : minPair.highHalf
            results[t] = KQuant.horizontalSum(accumulators[t]) + KQuant.horizontalSum(minLanes)
        }
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
