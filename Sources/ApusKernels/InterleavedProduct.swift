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
// float exactly as llama.cpp's kernel for that batch size does, so results equal the single
// dots bit for bit.
//
// Tokens go four at a time; the last tokens of a batch that is not a multiple of four, and
// rows beyond the last group of eight, go to single dots (`dot(_:_:count:token:of:)`). The
// tokens pass over a task's repacked rows in blocks whose activations stay in L2 beside them.

/// A format whose batched product runs on eight interleaved rows.
protocol InterleavedProduct: BatchedProduct {
    /// Bytes of one repacked super-block of eight rows.
    static var interleavedBlockBytes: Int { get }
    /// Products of fewer tokens go to single dots (the kernel's float order is llama.cpp's
    /// only from this batch size on).
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
