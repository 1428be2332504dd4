#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// The batched product for formats of 32-value blocks with a half scale (Q4_0, Q4_1, Q5_0,
// Q8_0). A task's weight rows are unpacked once into per-thread scratch: one byte per
// value, 32-byte aligned, and the block scales widened to Float. Then each row is dotted
// against eight tokens at a time, so each unpacked weight block serves eight tokens, and
// the scale products `d_w·d_a` of a block come from one 8-lane multiply against the eight
// tokens' scales (gathered per group) instead of two half conversions per pair.
//
// Per pair, the integer and float operations are those of the format's `dot` (sign trick,
// `vpmaddubsw`, `vpmaddwd`, one FMA per block into an 8-lane accumulator, the same
// horizontal sum), so each result equals the single dot bit for bit.

/// A format of 32-value blocks with its half scale `d` at byte 0, for `Blocks32Product`.
protocol Blocks32Batched: BatchedProduct {
    /// Bytes per weight block.
    static var blockBytes: Int { get }
    /// Bytes per activation block (Q8_0: 34, Q8_1: 36) and where its quants start.
    static var activationBlockBytes: Int { get }
    static var activationQuantsOffset: Int { get }
    /// True when quants are unsigned and a minimum `m` (half at byte 2) adds `m·s` per block
    /// against the activation's `s` (Q4_1 with Q8_1); false for signed quants (sign trick).
    static var hasMinimum: Bool { get }
    #if arch(x86_64)
    /// The block's 32 quants as bytes in element order: signed values, or 0…15 with a minimum.
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i
    #endif
}

extension Blocks32Batched {
    static func multiply(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                         activationRowBytes: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        Blocks32Product.multiply(Self.self, weights, rows: rows, activations, activationRowBytes, tokens: tokens, into: output)
        #else
        BatchedSingleDots.multiply(Self.self, weights, rows: rows, activations, activationRowBytes, tokens: tokens, into: output)
        #endif
    }
}

extension Q4_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_0Format.blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    #if arch(x86_64)
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i {
        _mm256_sub_epi8(AVX2Blocks.nibbles32(block + 2), _mm256_set1_epi8(8))
    }
    #endif
}

extension Q5_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_0Format.blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    #if arch(x86_64)
    /// q − 16 as a signed byte: the nibble with 0xF0 set where the fifth bit is clear (as `dot`).
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i {
        let clear = _mm256_andnot_si256(AVX2Blocks.bitsToBytes(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)),
                                        _mm256_set1_epi8(Int8(bitPattern: 0xF0)))
        return _mm256_or_si256(AVX2Blocks.nibbles32(block + 6), clear)
    }
    #endif
}

extension Q8_0Format: Blocks32Batched {
    static var activationBlockBytes: Int { blockBytes }
    static var activationQuantsOffset: Int { 2 }
    static var hasMinimum: Bool { false }
    #if arch(x86_64)
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i { AVX2Blocks.load32(block + 2) }
    #endif
}

extension Q4_1Format: Blocks32Batched {
    static var activationBlockBytes: Int { Q8_1Format.blockBytes }
    static var activationQuantsOffset: Int { 4 }
    static var hasMinimum: Bool { true }
    #if arch(x86_64)
    @inline(__always)
    static func unpackQuants(_ block: UnsafeRawPointer) -> __m256i { AVX2Blocks.nibbles32(block + 4) }
    #endif
}

/// The batched product without a tiled kernel: every pair by the single dot.
enum BatchedSingleDots {
    @inline(__always)
    static func multiply<F: QuantFormat>(_ format: F.Type, _ weights: WeightMatrix, rows: Range<Int>,
                                         _ activations: UnsafeRawPointer, _ stride: Int, tokens: Int,
                                         into output: UnsafeMutablePointer<Float>, firstToken: Int = 0) {
        for token in firstToken..<tokens {
            let x = activations + token * stride
            let y = output + token * weights.rows
            for row in rows { y[row] = F.dot(weights.row(row), x, count: weights.columns) }
        }
    }
}

#if arch(x86_64)
enum Blocks32Product {
    /// Tokens per micro-kernel call: eight accumulators, plus the weight block, its
    /// magnitudes, the scale products and the constant ones, stay within 16 ymm registers.
    static let width = 8
    /// Fewer tokens than this go to single dots: a padded 8-token call would cost more.
    static let minimumTokens = 4

    @inline(__always)
    static func multiply<F: Blocks32Batched>(_ format: F.Type, _ weights: WeightMatrix, rows: Range<Int>,
                                             _ activations: UnsafeRawPointer, _ stride: Int, tokens: Int,
                                             into output: UnsafeMutablePointer<Float>) {
        guard tokens >= minimumTokens else {
            BatchedSingleDots.multiply(F.self, weights, rows: rows, activations, stride, tokens: tokens, into: output)
            return
        }
        let blocks = weights.columns / 32
        let rowCount = rows.count
        let quantBytes = rowCount * blocks * 32
        let rowTable = rowCount * blocks
        let tokenTable = blocks * width
        ThreadScratch.withBytes(quantBytes + 4 * (2 * rowTable + 2 * tokenTable)) { scratch in
            let quants = UnsafeRawPointer(scratch)
            let rowScales = (scratch + quantBytes).bindMemory(to: Float.self, capacity: 2 * rowTable + 2 * tokenTable)
            let rowMinimums = rowScales + rowTable
            let tokenScales = rowMinimums + rowTable
            let tokenSums = tokenScales + tokenTable
            for r in 0..<rowCount {
                let row = weights.row(rows.lowerBound + r)
                for block in 0..<blocks {
                    let x = row + block * F.blockBytes
                    let index = r * blocks + block
                    scratch.storeBytes(of: F.unpackQuants(x), toByteOffset: 32 * index, as: __m256i.self)
                    rowScales[index] = loadHalf(x, 0)
                    if F.hasMinimum { rowMinimums[index] = loadHalf(x, 2) }
                }
            }
            var first = 0
            while tokens - first >= minimumTokens {
                let count = min(width, tokens - first)
                // A short last group repeats its last token in the unused slots; those results are dropped.
                let token = { (t: Int) in activations + (first + min(t, count - 1)) * stride }
                let y = (token(0), token(1), token(2), token(3), token(4), token(5), token(6), token(7))
                for block in 0..<blocks {
                    for t in 0..<width {
                        let a = token(t) + block * F.activationBlockBytes
                        tokenScales[block * width + t] = loadHalf(a, 0)
                        if F.hasMinimum { tokenSums[block * width + t] = loadHalf(a, 2) }
                    }
                }
                for r in 0..<rowCount {
                    let results = rowTimesEight(F.self, quants + 32 * r * blocks, rowScales + r * blocks,
                                                rowMinimums + r * blocks, tokenScales, tokenSums,
                                                y, blocks: blocks)
                    let column = output + first * weights.rows + rows.lowerBound + r
                    for t in 0..<count { column[t * weights.rows] = results[t] }
                }
                first += count
            }
            BatchedSingleDots.multiply(F.self, weights, rows: rows, activations, stride, tokens: tokens,
                                       into: output, firstToken: first)
        }
    }

    typealias EightRows = (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
                           UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer)

    /// One unpacked weight row against eight activation rows: the micro-kernel.
    @inline(__always)
    static func rowTimesEight<F: Blocks32Batched>(_ format: F.Type, _ quants: UnsafeRawPointer,
                                                  _ rowScales: UnsafePointer<Float>, _ rowMinimums: UnsafePointer<Float>,
                                                  _ tokenScales: UnsafePointer<Float>, _ tokenSums: UnsafePointer<Float>,
                                                  _ y: EightRows, blocks: Int) -> SIMD8<Float> {
        var s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps()
        var s4 = _mm256_setzero_ps(), s5 = _mm256_setzero_ps(), s6 = _mm256_setzero_ps(), s7 = _mm256_setzero_ps()
        var minimumTerms = _mm256_setzero_ps()
        for block in 0..<blocks {
            let w = quants.load(fromByteOffset: 32 * block, as: __m256i.self)
            let magnitudes = F.hasMinimum ? w : _mm256_sign_epi8(w, w)
            // Lane t: d_w·d_a of token t, the product `dot` forms per block.
            let scales = _mm256_mul_ps(_mm256_set1_ps(rowScales[block]), _mm256_load_ps(tokenScales + width * block))
            if F.hasMinimum {
                // `dot`'s running sum of m·s, for eight tokens at once (multiply, then add: no FMA).
                let terms = _mm256_mul_ps(_mm256_set1_ps(rowMinimums[block]), _mm256_load_ps(tokenSums + width * block))
                minimumTerms = _mm256_add_ps(minimumTerms, terms)
            }
            let offset = block * F.activationBlockBytes + F.activationQuantsOffset
            @inline(__always)
            func term(_ row: UnsafeRawPointer, _ lane: Int, _ sum: __m256) -> __m256 {
                let a = AVX2Blocks.load32(row + offset)
                let products = AVX2Blocks.dotUnsigned(magnitudes, F.hasMinimum ? a : _mm256_sign_epi8(a, w))
                return _mm256_fmadd_ps(_mm256_set1_ps(scales[lane]), products, sum)
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
        let sums = SIMD8<Float>(AVX2Blocks.horizontalSum(s0), AVX2Blocks.horizontalSum(s1),
                                AVX2Blocks.horizontalSum(s2), AVX2Blocks.horizontalSum(s3),
                                AVX2Blocks.horizontalSum(s4), AVX2Blocks.horizontalSum(s5),
                                AVX2Blocks.horizontalSum(s6), AVX2Blocks.horizontalSum(s7))
        return F.hasMinimum ? sums + minimumTerms : sums
    }
}
#endif
