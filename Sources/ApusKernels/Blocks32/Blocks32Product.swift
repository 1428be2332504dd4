#if arch(x86_64)
import _Builtin_intrinsics.intel

// The tiled batched product (see TiledProduct) for formats of 32-value blocks with a half
// scale: Q4_0, Q4_1, Q5_0, Q8_0. A block unpacks to its 32 quants as bytes plus its scale
// (and Q4_1's minimum) as Float; a token table holds the eight tokens' scales (and Q8_1
// sums), so the scale products `d_w·d_a` of a block come from one 8-lane multiply instead
// of two half conversions per pair. Per pair the float operations are those of the
// format's `dot` (one FMA per block into an 8-lane accumulator, the same horizontal sum)
// on the same integer lane sums, so results equal the single dot bit for bit.
//
// The kernel is bound by the vector ALU ports that `vpsignb`, `vpmaddubsw`, `vpmaddwd`,
// the conversion and the FMA share. For Q4_0 and Q5_0 the quants are small, so the sign
// trick is replaced: weights are unpacked as q + bias (unsigned), `vpmaddubsw` takes them
// directly, and bias·Σa per lane, from the token table, is subtracted as 32-bit integers
// (exact: the lane sums are the same integers; `vpsubd` can also issue on the shuffle port).

/// A format of 32-value blocks with its half scale `d` at byte 0, for the tiled product.
protocol Blocks32Batched: TiledBatchedProduct {
    /// Bytes per weight block.
    static var blockBytes: Int { get }
    /// Bytes per activation block (Q8_0: 34, Q8_1: 36).
    static var activationBlockBytes: Int { get }
    /// Where an activation block's quants start.
    static var activationQuantsOffset: Int { get }
    /// True when quants are unsigned and a minimum `m` (half at byte 2) adds `m·s` per block
    /// against the activation's `s` (Q4_1 with Q8_1).
    static var hasMinimum: Bool { get }
    /// For signed quants: the bias that makes them unsigned (Q4_0: 8, Q5_0: 16), or 0 to
    /// keep them signed and use the sign trick (Q8_0: (q + 128)·a would saturate `vpmaddubsw`).
    static var quantBias: Int8 { get }
    /// The block's 32 quants as bytes in element order: q + `quantBias`, or 0…15 with a minimum.
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i
}

extension Blocks32Batched {
    static var valuesPerBlock: Int { 32 }
    static var unpackedBlockBytes: Int { 32 }
    static var rowFloatsPerBlock: Int { hasMinimum ? 2 : 1 }
    /// Eight token scales, then eight token sums (with a minimum) or eight × 8 lanes of
    /// bias·Σa (with a bias).
    static var tokenTableBytes: Int { hasMinimum ? 64 : quantBias != 0 ? 288 : 32 }

    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, into destination: UnsafeMutableRawPointer,
                       _ rowFloats: UnsafeMutablePointer<Float>) {
        destination.storeBytes(of: unpackQuants(block), as: __m256i.self)
        rowFloats[0] = loadHalf(block, 0)
        if hasMinimum { rowFloats[1] = loadHalf(block, 2) }
    }

    @inline(__always)
    static func tabulate(_ tokens: EightTokens, block: Int, into table: UnsafeMutableRawPointer) {
        let floats = table.assumingMemoryBound(to: Float.self)
        let offset = block * activationBlockBytes
        for t in 0..<TiledProduct.width {
            let y = TiledProduct.token(t, of: tokens) + offset
            floats[t] = loadHalf(y, 0)
            if hasMinimum { floats[8 + t] = loadHalf(y, 2) }
            if quantBias != 0 {
                let biasTimesPairs = _mm256_maddubs_epi16(_mm256_set1_epi8(quantBias), AVX2Blocks.load32(y + activationQuantsOffset))
                table.storeBytes(of: _mm256_madd_epi16(biasTimesPairs, _mm256_set1_epi16(1)), toByteOffset: 32 + 32 * t, as: __m256i.self)
            }
        }
    }

    /// Eight 8-lane sums, then the eight tokens' minimum terms.
    static var accumulatorBytes: Int { 288 }
    /// Per block of a span: the scale products of the eight tokens.
    static var workBytesPerBlock: Int { 32 }

    @inline(__always)
    static func accumulate(_ unpacked: UnsafeRawPointer, _ rowFloats: UnsafePointer<Float>,
                           _ tables: UnsafeRawPointer, _ y: EightTokens, span: Range<Int>,
                           into accumulators: UnsafeMutableRawPointer, work: UnsafeMutableRawPointer) {
        let sums = accumulators.bindMemory(to: __m256.self, capacity: 9)
        var s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3]
        var s4 = sums[4], s5 = sums[5], s6 = sums[6], s7 = sums[7]
        var minimumTerms = sums[8]
        // Lane t of a block's entry: d_w·d_a of token t, the product `dot` forms per block.
        // Written by their own loop so the kernel reads each one with a broadcast load (a load
        // port) instead of extracting it from a register (the shuffle port, ~2 per pair).
        let scaleProducts = work.bindMemory(to: Float.self, capacity: 8 * span.count)
        for block in span {
            let table = (tables + block * tokenTableBytes).assumingMemoryBound(to: Float.self)
            _mm256_storeu_ps(scaleProducts + 8 * (block - span.lowerBound),
                             _mm256_mul_ps(_mm256_set1_ps(rowFloats[block * rowFloatsPerBlock]), _mm256_loadu_ps(table)))
        }
        for block in span {
            let w = unpacked.load(fromByteOffset: 32 * block, as: __m256i.self)
            let magnitudes = hasMinimum || quantBias != 0 ? w : _mm256_sign_epi8(w, w)
            let table = (tables + block * tokenTableBytes).assumingMemoryBound(to: Float.self)
            let floats = rowFloats + block * rowFloatsPerBlock
            let scales = UnsafePointer(scaleProducts + 8 * (block - span.lowerBound))
            if hasMinimum {
                // `dot`'s running sum of m·s, for eight tokens at once (multiply, then add: no FMA).
                minimumTerms = _mm256_add_ps(minimumTerms, _mm256_mul_ps(_mm256_set1_ps(floats[1]), _mm256_loadu_ps(table + 8)))
            }
            let offset = block * activationBlockBytes + activationQuantsOffset
            @inline(__always)
            func term(_ row: UnsafeRawPointer, _ lane: Int, _ sum: __m256) -> __m256 {
                let a = AVX2Blocks.load32(row + offset)
                let products: __m256
                if quantBias != 0 {
                    let quads = _mm256_madd_epi16(_mm256_maddubs_epi16(magnitudes, a), _mm256_set1_epi16(1))
                    let bias = (UnsafeRawPointer(table) + 32 + 32 * lane).load(as: __m256i.self)
                    products = _mm256_cvtepi32_ps(_mm256_sub_epi32(quads, bias))
                } else {
                    products = AVX2Blocks.dotUnsigned(magnitudes, hasMinimum ? a : _mm256_sign_epi8(a, w))
                }
                return _mm256_fmadd_ps(_mm256_broadcast_ss(scales + lane), products, sum)
            }
            s0 = term(y.0, 0, s0)
            s1 = term(y.1, 1, s1)
            s2 = term(y.2, 2, s2)
            s3 = term(y.3, 3, s3)
            s4 = term(y.4, 4, s4)
            s5 = term(y.5, 5, s5)
            s6 = term(y.6, 6, s6)
            s7 = term(y.7, 7, s7)
        }
        sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3
        sums[4] = s4; sums[5] = s5; sums[6] = s6; sums[7] = s7
        sums[8] = minimumTerms
    }

    @inline(__always)
    static func results(_ accumulators: UnsafeRawPointer) -> SIMD8<Float> {
        let sums = accumulators.assumingMemoryBound(to: __m256.self)
        var results = SIMD8<Float>()
        for t in 0..<8 { results[t] = AVX2Blocks.horizontalSum(sums[t]) }
        return hasMinimum ? results + sums[8] : results
    }
}

extension Q4_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_0Format.blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    static var quantBias: Int8 { 8 }
    /// The nibbles as they are: q + 8.
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i { AVX2Blocks.nibbles32(block + 2) }
}

extension Q5_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_0Format.blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    static var quantBias: Int8 { 16 }
    /// The five-bit value as stored, q + 16: the nibble with 0x10 set where the fifth bit is.
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i {
        let fifthBits = _mm256_and_si256(AVX2Blocks.bitsToBytes(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)),
                                         _mm256_set1_epi8(0x10))
        return _mm256_or_si256(AVX2Blocks.nibbles32(block + 6), fifthBits)
    }
}

extension Q8_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    static var quantBias: Int8 { 0 }
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i { AVX2Blocks.load32(block + 2) }
}

extension Q4_1Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_1Format.blockBytes }
    static var activationQuantsOffset: Int { 4 }
    static var hasMinimum: Bool { true }
    static var quantBias: Int8 { 0 }
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i { AVX2Blocks.nibbles32(block + 4) }
}
#endif
