#if arch(x86_64)
import _Builtin_intrinsics.intel

/// A weight format of 32-value blocks with a half scale at byte 0, as the AVX-512 kernel reads it.
public enum Blocks32Layout: Sendable {
    /// 18-byte blocks, nibbles q + 8, against Q8_0.
    case q4_0
    /// 20-byte blocks with a half minimum, nibbles q, against Q8_1 (whose `s` meets the minimum).
    case q4_1
    /// 22-byte blocks, five-bit q + 16 (fifth bits in a word at 2, nibbles at 6), against Q8_0.
    case q5_0
    /// 34-byte blocks of signed bytes, against Q8_0.
    case q8_0

    var blockBytes: Int {
        switch self {
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q8_0: 34
        }
    }
    /// Q8_1 (36 bytes, quants at 4) for Q4_1, else Q8_0 (34 bytes, quants at 2).
    var activationBlockBytes: Int { self == .q4_1 ? 36 : 34 }
    var activationQuantsOffset: Int { self == .q4_1 ? 4 : 2 }
    /// What the unpacked unsigned byte exceeds the signed quant by.
    var bias: Int8 {
        switch self {
        case .q4_0: 8
        case .q4_1: 0
        case .q5_0: 16
        case .q8_0: -128  // 0x80: q + 128 as an unsigned byte
        }
    }
}

/// The batched product of 32-value-block weights (Q4_0, Q4_1, Q5_0, Q8_0) with AVX-512 VNNI.
///
/// Per (row, token) it computes exactly what the format's AVX2 `dot` computes: per block, in
/// each of eight lanes, the exact integer sum of four products; `d_w·d_a` times that sum
/// added with one FMA into the lane's float accumulator, block by block; the eight lanes
/// added in `AVX2Blocks.horizontalSum`'s tree; for Q4_1 plus `Σ m_w·s_a` (multiply, then add,
/// block by block). Only the integer work differs: weights unpack to unsigned bytes
/// `u = q + bias`, and one `vpdpbusd` starting from `−bias·Σa` gives the same lane sums for
/// two tokens at once (tokens in the two 256-bit halves of a 512-bit vector).
public enum AVX512Blocks32 {
    /// Tokens per micro-kernel pass: four pairs.
    static let width = 8
    /// Per block of a pass's table: four pairs' activations (64 bytes each), four pairs'
    /// `−bias·Σa` lanes, four pairs' `d_a` in each half, the eight tokens' `s_a` (Q4_1).
    static let tableBlockBytes = 256 + 256 + 256 + 64

    /// Scratch bytes `multiply` needs for `rows` rows of `blocks` blocks.
    public static func scratchBytes(rows: Int, blocks: Int) -> Int {
        rows * blocks * (32 + 8) + blocks * tableBlockBytes + 256
    }

    /// Writes `output[t·outputStride + r]` = the dot of weight row r (at `weights + r·rowBytes`,
    /// r < `rows`) with activation row t (at `activations + t·activationRowBytes`) for the
    /// tokens it handles, and returns how many that is (from token 0; the caller does the
    /// rest with single dots). `scratch` holds `scratchBytes(rows:blocks:)` bytes, 64-byte aligned.
    public static func multiply(_ layout: Blocks32Layout, weights: UnsafeRawPointer, rowBytes: Int, rows: Int,
                                blocks: Int, activations: UnsafeRawPointer, activationRowBytes: Int, tokens: Int,
                                output: UnsafeMutablePointer<Float>, outputStride: Int,
                                scratch: UnsafeMutableRawPointer) -> Int {
        switch layout {
        case .q4_0: run(Q40.self, weights, rowBytes, rows, blocks, activations, activationRowBytes, tokens, output, outputStride, scratch)
        case .q4_1: run(Q41.self, weights, rowBytes, rows, blocks, activations, activationRowBytes, tokens, output, outputStride, scratch)
        case .q5_0: run(Q50.self, weights, rowBytes, rows, blocks, activations, activationRowBytes, tokens, output, outputStride, scratch)
        case .q8_0: run(Q80.self, weights, rowBytes, rows, blocks, activations, activationRowBytes, tokens, output, outputStride, scratch)
        }
    }

    @inline(__always)
    private static func run<F: WideBlocks32>(_ format: F.Type, _ weights: UnsafeRawPointer, _ rowBytes: Int, _ rows: Int,
                                             _ blocks: Int, _ activations: UnsafeRawPointer, _ stride: Int, _ tokens: Int,
                                             _ output: UnsafeMutablePointer<Float>, _ outputStride: Int,
                                             _ scratch: UnsafeMutableRawPointer) -> Int {
        // A last group of one token goes to single dots. A pass covers up to eight tokens in
        // as many pairs as it needs (an odd count repeats its last token, whose result is
        // dropped), so four to seven tokens (batched decoding) cost two to four pairs, not eight.
        let handled = tokens % width == 1 ? tokens - 1 : tokens
        guard handled >= 2, rows > 0 else { return 0 }
        let layout = F.layout
        // Several passes: the rows are unpacked once into scratch and every pass reads them
        // there. One pass: each block is unpacked where the pass reads it.
        let unpackOnce = handled > width
        let unpacked = scratch
        let rowFloats = (scratch + rows * blocks * 32).assumingMemoryBound(to: Float.self)
        let table = unpackOnce ? scratch + ((rows * blocks * 40 + 63) & ~63) : scratch
        if unpackOnce {
            for r in 0 ..< rows {
                let row = weights + r * rowBytes
                for block in 0 ..< blocks {
                    let x = row + block * layout.blockBytes
                    Wide.store32(unpacked + (r * blocks + block) * 32, F.unsignedQuants(x))
                    rowFloats[2 * (r * blocks + block)] = Wide.half(x, 0)
                    rowFloats[2 * (r * blocks + block) + 1] = layout == .q4_1 ? Wide.half(x, 2) : 0
                }
            }
        }
        let biasBytes = _mm512_set1_epi8(layout.bias)
        var first = 0
        while first < handled {
            let count = min(width, handled - first)
            let pairs = (count + 1) / 2
            // The pass's table: per block, pair p's two tokens' 32 activation bytes side by side.
            for block in 0 ..< blocks {
                let entry = table + block * tableBlockBytes
                let offset = block * layout.activationBlockBytes
                for t in 0 ..< width {
                    let y = activations + (first + min(t, count - 1)) * stride + offset
                    if layout == .q4_1 { (entry + 768 + 4 * t).storeBytes(of: Wide.half(y, 2), as: Float.self) }
                    guard t < 2 * pairs else { continue }
                    Wide.store32(entry + 32 * t, Wide.load32(y + layout.activationQuantsOffset))
                    (entry + 512 + 32 * t).storeBytes(of: _mm256_set1_ps(Wide.half(y, 0)), as: __m256.self)
                }
                if layout.bias != 0 {
                    for pair in 0 ..< pairs {
                        let sums = _mm512_dpbusd_epi32(_mm512_setzero_si512(), biasBytes, Wide.load64(entry + 64 * pair))
                        Wide.store64(entry + 256 + 64 * pair, _mm512_sub_epi32(_mm512_setzero_si512(), sums))
                    }
                }
            }
            let lanes = table + blocks * tableBlockBytes  // 32 spare bytes after the table
            for r in 0 ..< rows {
                let source = RowSource(unpacked: unpackOnce ? unpacked + r * blocks * 32 : nil,
                                       floats: rowFloats + 2 * r * blocks, raw: weights + r * rowBytes)
                // Constant pair counts, so each case compiles to a loop with just those pairs.
                let results = switch (pairs, unpackOnce) {
                case (1, false): rowPass(F.self, source, table, blocks: blocks, pairs: 1, unpacked: false)
                case (2, false): rowPass(F.self, source, table, blocks: blocks, pairs: 2, unpacked: false)
                case (3, false): rowPass(F.self, source, table, blocks: blocks, pairs: 3, unpacked: false)
                case (4, false): rowPass(F.self, source, table, blocks: blocks, pairs: 4, unpacked: false)
                case (1, true): rowPass(F.self, source, table, blocks: blocks, pairs: 1, unpacked: true)
                case (2, true): rowPass(F.self, source, table, blocks: blocks, pairs: 2, unpacked: true)
                case (3, true): rowPass(F.self, source, table, blocks: blocks, pairs: 3, unpacked: true)
                default: rowPass(F.self, source, table, blocks: blocks, pairs: 4, unpacked: true)
                }
                _mm256_store_ps(lanes.assumingMemoryBound(to: Float.self), results)
                let values = UnsafePointer<Float>(lanes.assumingMemoryBound(to: Float.self))
                let column = output + first * outputStride + r
                var t = 0
                while t < count {
                    column[t * outputStride] = values[t]
                    t += 1
                }
            }
            first += count
        }
        return handled
    }

    /// Where a pass reads a weight row: unpacked in scratch (bytes and per-block floats), or
    /// the raw blocks.
    private struct RowSource {
        let unpacked: UnsafeRawPointer?
        let floats: UnsafePointer<Float>
        let raw: UnsafeRawPointer
    }

    /// One row against the first `pairs` pairs of the table: lane t of the result is the dot
    /// with the pass's token t (lanes from 2·`pairs` on are zero).
    @inline(__always)
    private static func rowPass<F: WideBlocks32>(_ format: F.Type, _ source: RowSource, _ table: UnsafeRawPointer,
                                                 blocks: Int, pairs: Int, unpacked: Bool) -> __m256 {
        var acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        var minimumTerms = _mm256_setzero_ps()
        let hasBias = F.layout.bias != 0
        for block in 0 ..< blocks {
            let entry = table + block * tableBlockBytes
            let quants: __m256i, scale: Float, minimum: Float
            if unpacked, let bytes = source.unpacked {
                quants = Wide.load32(bytes + 32 * block)
                scale = source.floats[2 * block]
                minimum = source.floats[2 * block + 1]
            } else {
                let x = source.raw + block * F.layout.blockBytes
                quants = F.unsignedQuants(x)
                scale = Wide.half(x, 0)
                minimum = F.layout == .q4_1 ? Wide.half(x, 2) : 0
            }
            let w = _mm512_broadcast_i64x4(quants)
            let dw = _mm512_set1_ps(scale)
            @inline(__always) func term(_ pair: Int, _ acc: __m512) -> __m512 {
                let start = hasBias ? Wide.load64(entry + 256 + 64 * pair) : _mm512_setzero_si512()
                let sums = _mm512_dpbusd_epi32(start, w, Wide.load64(entry + 64 * pair))
                let products = _mm512_mul_ps(dw, entry.load(fromByteOffset: 512 + 64 * pair, as: __m512.self))
                return _mm512_fmadd_ps(products, _mm512_cvtepi32_ps(sums), acc)
            }
            acc0 = term(0, acc0)
            if pairs > 1 { acc1 = term(1, acc1) }
            if pairs > 2 { acc2 = term(2, acc2) }
            if pairs > 3 { acc3 = term(3, acc3) }
            if F.layout == .q4_1 {
                minimumTerms = _mm256_add_ps(minimumTerms, _mm256_mul_ps(_mm256_set1_ps(minimum),
                                                                         entry.load(fromByteOffset: 768, as: __m256.self)))
            }
        }
        let sums = _mm256_setr_ps(Wide.horizontalSum(Wide.lowHalf(acc0)), Wide.horizontalSum(Wide.highHalf(acc0)),
                                  Wide.horizontalSum(Wide.lowHalf(acc1)), Wide.horizontalSum(Wide.highHalf(acc1)),
                                  Wide.horizontalSum(Wide.lowHalf(acc2)), Wide.horizontalSum(Wide.highHalf(acc2)),
                                  Wide.horizontalSum(Wide.lowHalf(acc3)), Wide.horizontalSum(Wide.highHalf(acc3)))
        return F.layout == .q4_1 ? _mm256_add_ps(sums, minimumTerms) : sums
    }
}

/// How one format unpacks a block to unsigned bytes (element order).
protocol WideBlocks32 {
    static var layout: Blocks32Layout { get }
    static func unsignedQuants(_ block: UnsafeRawPointer) -> __m256i
}

/// 16 bytes of nibbles at `pointer` as 32 bytes: low nibbles first, then high nibbles.
@inline(__always)
private func nibbles32(_ pointer: UnsafeRawPointer) -> __m256i {
    let both = _mm256_broadcastsi128_si256(_mm_loadu_si128(pointer.assumingMemoryBound(to: __m128i_u.self)))
    let shifted = _mm256_srlv_epi32(both, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4))
    return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F))
}

private enum Q40: WideBlocks32 {
    static var layout: Blocks32Layout { .q4_0 }
    @inline(__always) static func unsignedQuants(_ block: UnsafeRawPointer) -> __m256i { nibbles32(block + 2) }
}

private enum Q41: WideBlocks32 {
    static var layout: Blocks32Layout { .q4_1 }
    @inline(__always) static func unsignedQuants(_ block: UnsafeRawPointer) -> __m256i { nibbles32(block + 4) }
}

private enum Q50: WideBlocks32 {
    static var layout: Blocks32Layout { .q5_0 }
    /// The nibble with 0x10 set where the fifth bit is (bit k of the word at 2 for element k).
    @inline(__always) static func unsignedQuants(_ block: UnsafeRawPointer) -> __m256i {
        let fifth = _mm256_maskz_mov_epi8(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self), _mm256_set1_epi8(0x10))
        return _mm256_or_si256(nibbles32(block + 6), fifth)
    }
}

private enum Q80: WideBlocks32 {
    static var layout: Blocks32Layout { .q8_0 }
    /// q + 128 as unsigned bytes (the sign bit flipped).
    @inline(__always) static func unsignedQuants(_ block: UnsafeRawPointer) -> __m256i {
        _mm256_xor_si256(Wide.load32(block + 2), _mm256_set1_epi8(-128))
    }
}
#endif
