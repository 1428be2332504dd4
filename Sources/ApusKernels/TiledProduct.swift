#if arch(x86_64)
// The batched product shared by the formats with a tiled kernel. A task's weight rows are
// unpacked once into per-thread scratch (bytes ready for `vpmaddubsw`, scales widened),
// so each weight block is decoded once for the whole batch instead of once per token
// group. Tokens then go eight at a time: per block, what depends on the tokens only (their
// scales, sums) is gathered into a table once for all the task's rows, and a micro-kernel
// dots one unpacked row against the eight tokens. Long rows are cut into spans of blocks
// whose eight activation rows fit in L1 (~16 KB), every row of the task passing over a
// span before the next; each row's accumulators wait in scratch between spans, so the
// float operations per output and their order are unchanged. Fewer than four tokens go
// to single dots. x86 only: elsewhere the formats do not conform and MatMul uses single dots.

/// Eight activation rows: the tokens of one micro-kernel call.
typealias EightTokens = (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
                         UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer)

/// A format whose batched product unpacks rows and runs an eight-token micro-kernel.
///
/// Each micro-kernel result must equal `dot` for the same pair bit for bit:
/// per token the same integer sums (any order: 32-bit integer addition is exact and
/// associative, even where it wraps), then the same float operations in the same order.
protocol TiledBatchedProduct: BatchedProduct {
    /// Values per weight block (32 or 256).
    static var valuesPerBlock: Int { get }
    /// Scratch bytes of one unpacked weight block, a multiple of 32 (blocks stay 32-byte aligned).
    static var unpackedBlockBytes: Int { get }
    /// Floats per weight block kept beside the unpacked bytes (widened scales).
    static var rowFloatsPerBlock: Int { get }
    /// Scratch bytes of the token table for one block of eight tokens, a multiple of 32.
    static var tokenTableBytes: Int { get }
    /// Unpacks the weight block at `block` into `destination` and `rowFloats`.
    static func unpack(_ block: UnsafeRawPointer, into destination: UnsafeMutableRawPointer,
                       _ rowFloats: UnsafeMutablePointer<Float>)
    /// Writes the table of block `block` of the eight tokens to `table`.
    static func tabulate(_ tokens: EightTokens, block: Int, into table: UnsafeMutableRawPointer)
    /// Bytes of one row's accumulators for eight tokens, a multiple of 32; zeroed before the first span.
    static var accumulatorBytes: Int { get }
    /// Scratch bytes per block of a span that `accumulate` may use, a multiple of 32.
    static var workBytesPerBlock: Int { get }
    /// The micro-kernel: adds blocks `span` of one unpacked row (`unpacked`, `rowFloats`
    /// at the row's first block) against eight tokens (`tables` at block 0) into
    /// `accumulators`. `work` is `workBytesPerBlock` per block of the span, 64-byte aligned,
    /// for the call's own use.
    static func accumulate(_ unpacked: UnsafeRawPointer, _ rowFloats: UnsafePointer<Float>,
                           _ tables: UnsafeRawPointer, _ tokens: EightTokens, span: Range<Int>,
                           into accumulators: UnsafeMutableRawPointer, work: UnsafeMutableRawPointer)
    /// The eight dots from a row's accumulators after its last span.
    static func results(_ accumulators: UnsafeRawPointer) -> SIMD8<Float>
}

extension TiledBatchedProduct {
    static func multiply(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                         activationRowBytes: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        TiledProduct.multiply(Self.self, weights, rows: rows, activations, activationRowBytes, tokens: tokens, into: output)
    }
}

enum TiledProduct {
    /// Tokens per micro-kernel call.
    static let width = 8
    /// Fewer tokens go to single dots.
    static let minimumTokens = MatMul.minimumBatchedTokens
    /// Activation and token-table bytes of eight tokens per span: a third of a 48 KB L1,
    /// leaving room for the unpacked rows.
    static let spanBytes = 16_384

    /// Activation row `t` (0…7) of `tokens`.
    @inline(__always)
    static func token(_ t: Int, of tokens: EightTokens) -> UnsafeRawPointer {
        withUnsafeBytes(of: tokens) { $0.load(fromByteOffset: t * MemoryLayout<UnsafeRawPointer>.stride, as: UnsafeRawPointer.self) }
    }

    @inline(__always)
    static func multiply<F: TiledBatchedProduct>(_ format: F.Type, _ weights: WeightMatrix, rows: Range<Int>,
                                                 _ activations: UnsafeRawPointer, _ stride: Int, tokens: Int,
                                                 into output: UnsafeMutablePointer<Float>) {
        guard tokens >= minimumTokens else {
            BatchedSingleDots.multiply(F.self, weights, rows: rows, activations, stride, tokens: tokens, into: output)
            return
        }
        let blocks = weights.columns / F.valuesPerBlock
        let weightBlockBytes = weights.rowBytes / blocks
        let spanBlocks = max(1, spanBytes / (width * (stride / blocks) + F.tokenTableBytes))
        let rowCount = rows.count
        let unpackedRowBytes = blocks * F.unpackedBlockBytes
        let floatsPerRow = blocks * F.rowFloatsPerBlock
        let tablesOffset = rowCount * unpackedRowBytes
        let accumulatorsOffset = tablesOffset + blocks * F.tokenTableBytes
        let workOffset = (accumulatorsOffset + rowCount * F.accumulatorBytes + 63) & ~63
        let floatsOffset = (workOffset + F.workBytesPerBlock * spanBlocks + 63) & ~63
        ThreadScratch.withBytes(floatsOffset + 4 * rowCount * floatsPerRow) { scratch in
            let rowFloats = (scratch + floatsOffset).bindMemory(to: Float.self, capacity: rowCount * floatsPerRow)
            for r in 0..<rowCount {
                let row = weights.row(rows.lowerBound + r)
                for block in 0..<blocks {
                    F.unpack(row + block * weightBlockBytes, into: scratch + r * unpackedRowBytes + block * F.unpackedBlockBytes,
                             rowFloats + r * floatsPerRow + block * F.rowFloatsPerBlock)
                }
            }
            let tables = UnsafeRawPointer(scratch + tablesOffset)
            let accumulators = scratch + accumulatorsOffset
            var first = 0
            while tokens - first >= minimumTokens {
                let count = min(width, tokens - first)
                // A short last group repeats its last token in the unused slots; those results are dropped.
                let token = { (t: Int) in activations + (first + min(t, count - 1)) * stride }
                let group = (token(0), token(1), token(2), token(3), token(4), token(5), token(6), token(7))
                for block in 0..<blocks {
                    F.tabulate(group, block: block, into: scratch + tablesOffset + block * F.tokenTableBytes)
                }
                accumulators.initializeMemory(as: UInt8.self, repeating: 0, count: rowCount * F.accumulatorBytes)
                for spanStart in Swift.stride(from: 0, to: blocks, by: spanBlocks) {
                    let span = spanStart..<min(blocks, spanStart + spanBlocks)
                    for r in 0..<rowCount {
                        F.accumulate(scratch + r * unpackedRowBytes, rowFloats + r * floatsPerRow, tables, group,
                                     span: span, into: accumulators + r * F.accumulatorBytes, work: scratch + workOffset)
                    }
                }
                for r in 0..<rowCount {
                    let results = F.results(accumulators + r * F.accumulatorBytes)
                    let column = output + first * weights.rows + rows.lowerBound + r
                    for t in 0..<count { column[t * weights.rows] = results[t] }
                }
                first += count
            }
            BatchedSingleDots.multiply(F.self, weights, rows: rows, activations, stride, tokens: tokens,
                                       into: output, firstToken: first)
        }
    }
}
#endif
