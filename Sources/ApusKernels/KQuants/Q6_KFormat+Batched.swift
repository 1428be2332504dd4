#if arch(x86_64)
import _Builtin_intrinsics.intel

// Q6_K in the tiled batched product (see TiledProduct). A super-block unpacks to its 256
// unsigned 6-bit values as bytes (in `dotAVX2`'s order: per half, four runs of 32), the
// eight group-scale pairs as ready `vpmaddwd` operands and the sixteen scales times −32 as
// words, so the −32 offset term is one `vpmaddwd` added (32·Σ g·s, exact in 32 bits:
// |g| ≤ 16·128, |32·s| ≤ 4096); its d widens to Float. A token's table entry is its Float scale and
// its sixteen bsums. Per token, the integer sums and float operations are `dotAVX2`'s, so
// each result equals the single dot bit for bit; the same integer sums also feed a second
// accumulator in the tiled order (`dotReferenceTiledOrder`), which products of eight or
// more tokens return, as llama.cpp's do.

extension Q6_KFormat: TiledBatchedProduct {
    static var valuesPerBlock: Int { KQuant.superBlock }
    /// 256 value bytes, 8 × 32 bytes of scale pairs, 32 bytes of scales × −32 as words.
    static var unpackedBlockBytes: Int { 544 }
    static var rowFloatsPerBlock: Int { 1 }
    /// Eight token scales (32 bytes), then eight × 16 bsums (256 bytes).
    static var tokenTableBytes: Int { 288 }

    private static let scalePairsStart = 256
    private static let offsetScalesStart = 512

    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, into destination: UnsafeMutableRawPointer,
                       _ rowFloats: UnsafeMutablePointer<Float>) {
        let scales = _mm_loadu_si128((block + scalesOffset).assumingMemoryBound(to: __m128i.self))
        let wordScales = KQuant.wordScales(scales)
        for half in 0 ..< 2 {
            let (values0, values1, values2, values3) = unpackValues(block, half: half)
            destination.storeBytes(of: values0, toByteOffset: 128 * half, as: __m256i.self)
            destination.storeBytes(of: values1, toByteOffset: 128 * half + 32, as: __m256i.self)
            destination.storeBytes(of: values2, toByteOffset: 128 * half + 64, as: __m256i.self)
            destination.storeBytes(of: values3, toByteOffset: 128 * half + 96, as: __m256i.self)
            let halfScales = half == 0 ? wordScales.first : wordScales.second
            for pair in 0 ..< 4 {
                destination.storeBytes(of: KQuant.groupScalePair(halfScales, pair: pair),
                                       toByteOffset: scalePairsStart + 128 * half + 32 * pair, as: __m256i.self)
            }
        }
        let offsetScales = _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_slli_epi16(_mm256_cvtepi8_epi16(scales), 5))
        destination.storeBytes(of: offsetScales, toByteOffset: offsetScalesStart, as: __m256i.self)
        rowFloats[0] = KQuant.half(block, scaleOffset)
    }

    @inline(__always)
    static func tabulate(_ tokens: EightTokens, block: Int, into table: UnsafeMutableRawPointer) {
        let offset = block * Q8_KFormat.blockBytes
        for t in 0 ..< TiledProduct.width {
            let y = TiledProduct.token(t, of: tokens) + offset
            table.storeBytes(of: y.loadUnaligned(as: Float.self), toByteOffset: 4 * t, as: Float.self)
            table.storeBytes(of: KQuant.load32(y, Q8_KFormat.sumsOffset), toByteOffset: 32 + 32 * t, as: __m256i.self)
        }
    }

    /// Eight 8-lane sums, then the eight tokens' tiled-order sums.
    static var accumulatorBytes: Int { 288 }
    /// Per super-block of a span: d of the eight tokens.
    static var workBytesPerBlock: Int { 32 }

    @inline(__always)
    static func accumulate(_ unpacked: UnsafeRawPointer, _ rowFloats: UnsafePointer<Float>,
                           _ tables: UnsafeRawPointer, _ y: EightTokens, span: Range<Int>,
                           into state: UnsafeMutableRawPointer, work: UnsafeMutableRawPointer) {
        // Float accumulators stay in scratch: with eight integer sums and the weights in
        // flight they would not fit in registers, and each is touched once per super-block.
        let accumulators = state.bindMemory(to: __m256.self, capacity: 9)
        // `dotAVX2`'s d = a·d_x for eight tokens, written by their own loop so the kernel reads
        // them with broadcast loads instead of extracting lanes on the shuffle port.
        let factors = work.bindMemory(to: __m256.self, capacity: span.count)
        for block in span {
            let tokenScales = (tables + block * tokenTableBytes).loadUnaligned(as: __m256.self)
            factors[block - span.lowerBound] = _mm256_mul_ps(tokenScales, _mm256_set1_ps(rowFloats[block]))
        }
        for block in span {
            let x = unpacked + block * unpackedBlockBytes
            let q8 = block * Q8_KFormat.blockBytes + Q8_KFormat.quantsOffset
            var sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256(), sum2 = _mm256_setzero_si256()
            var sum3 = _mm256_setzero_si256(), sum4 = _mm256_setzero_si256(), sum5 = _mm256_setzero_si256()
            var sum6 = _mm256_setzero_si256(), sum7 = _mm256_setzero_si256()
            for run in 0 ..< 8 {
                let values = x.load(fromByteOffset: 32 * run, as: __m256i.self)
                let scalePair = x.load(fromByteOffset: scalePairsStart + 32 * run, as: __m256i.self)
                let offset = q8 + 32 * run
                @inline(__always)
                func products(_ row: UnsafeRawPointer) -> __m256i {
                    _mm256_madd_epi16(scalePair, _mm256_maddubs_epi16(values, KQuant.load32(row, offset)))
                }
                sum0 = _mm256_add_epi32(sum0, products(y.0))
                sum1 = _mm256_add_epi32(sum1, products(y.1))
                sum2 = _mm256_add_epi32(sum2, products(y.2))
                sum3 = _mm256_add_epi32(sum3, products(y.3))
                sum4 = _mm256_add_epi32(sum4, products(y.4))
                sum5 = _mm256_add_epi32(sum5, products(y.5))
                sum6 = _mm256_add_epi32(sum6, products(y.6))
                sum7 = _mm256_add_epi32(sum7, products(y.7))
            }
            // `dotAVX2`'s offset term and float part for eight tokens.
            let table = tables + block * tokenTableBytes
            let d = UnsafeRawPointer(factors + (block - span.lowerBound)).assumingMemoryBound(to: Float.self)
            let offsetScales = x.load(fromByteOffset: offsetScalesStart, as: __m256i.self)
            @inline(__always)
            func finish(_ t: Int, _ integerSum: __m256i) -> __m256i {
                let groupSums = table.load(fromByteOffset: 32 + 32 * t, as: __m256i.self)
                let sum = _mm256_add_epi32(integerSum, _mm256_madd_epi16(groupSums, offsetScales))
                accumulators[t] = _mm256_fmadd_ps(_mm256_broadcast_ss(d + t), _mm256_cvtepi32_ps(sum), accumulators[t])
                return sum
            }
            let totals = KQuant.laneTotals(finish(0, sum0), finish(1, sum1), finish(2, sum2), finish(3, sum3),
                                           finish(4, sum4), finish(5, sum5), finish(6, sum6), finish(7, sum7))
            // Tiled order: (d_x · S) · d_a for the eight tokens at once.
            let scaled = _mm256_mul_ps(_mm256_set1_ps(rowFloats[block]), _mm256_cvtepi32_ps(totals))
            accumulators[8] = _mm256_fmadd_ps(scaled, table.loadUnaligned(as: __m256.self), accumulators[8])
        }
    }

    @inline(__always)
    static func results(_ state: UnsafeRawPointer, firstToken: Int, of tokens: Int) -> SIMD8<Float> {
        let accumulators = state.assumingMemoryBound(to: __m256.self)
        if tokens >= tiledMinimumTokens { return unsafeBitCast(accumulators[8], to: SIMD8<Float>.self) }
        var results = SIMD8<Float>()
        for t in 0 ..< 8 { results[t] = KQuant.horizontalSum(accumulators[t]) }
        return results
    }
}
#endif
