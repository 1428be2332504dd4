#if arch(x86_64)
import ApusKernelsAVX512

/// A format with an AVX-512 VNNI batched kernel (in the ApusKernelsAVX512 target, which alone
/// is compiled with those instructions enabled). `MatMul` calls it instead of the AVX2
/// `multiply` only when `InstructionSet.active` has the wide kernels (`.avx512`, `.amx`); it
/// produces the same bits.
protocol WideBatchedProduct: BatchedProduct {
    /// The fewest tokens for which the AVX-512 kernel beats single dots (fewer go to them).
    static var wideMinimumTokens: Int { get }

    /// The AVX-512 form of `BatchedProduct.multiply`: the same results for every (row, token).
    static func multiplyAVX512(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                               activationRowBytes: Int, tokens: Int, into output: UnsafeMutablePointer<Float>)
}

/// The 32-value-block formats: the AVX-512 kernel takes whole rows and the tokens it can
/// pair up; the tokens it leaves go to the AVX2 single dots (the same order).
protocol WideBlocks32Product: WideBatchedProduct, Blocks32Batched {
    static var wideLayout: Blocks32Layout { get }
}

extension WideBlocks32Product {
    /// Two: the kernel's unit is a pair of tokens sharing one 512-bit vector, so two or
    /// three decoding rows (a few requests at once) read and unpack each weight block once
    /// for both or all three where single dots would do it per row.
    static var wideMinimumTokens: Int { 2 }

    static func multiplyAVX512(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                               activationRowBytes stride: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        let blocks = weights.columns / 32
        let handled = ThreadScratch.withBytes(AVX512Blocks32.scratchBytes(rows: rows.count, blocks: blocks)) { scratch in
            AVX512Blocks32.multiply(wideLayout, weights: weights.row(rows.lowerBound), rowBytes: weights.rowBytes,
                                    rows: rows.count, blocks: blocks, activations: activations, activationRowBytes: stride,
                                    tokens: tokens, output: output + rows.lowerBound, outputStride: weights.rows,
                                    scratch: scratch)
        }
        if handled < tokens {
            BatchedSingleDots.multiply(Self.self, weights, rows: rows, activations, stride, tokens: tokens,
                                       into: output, firstToken: handled)
        }
    }
}

extension Q4_0Format: WideBlocks32Product { static var wideLayout: Blocks32Layout { .q4_0 } }
extension Q4_1Format: WideBlocks32Product { static var wideLayout: Blocks32Layout { .q4_1 } }
extension Q5_0Format: WideBlocks32Product { static var wideLayout: Blocks32Layout { .q5_0 } }
extension Q8_0Format: WideBlocks32Product { static var wideLayout: Blocks32Layout { .q8_0 } }

extension Q4_KFormat: WideBatchedProduct {
    /// One four-token pass; fewer tokens would pay the sixteen-row repack for nothing.
    static var wideMinimumTokens: Int { 4 }

    static func multiplyAVX512(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                               activationRowBytes stride: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        if InstructionSet.active == .amx, tokens >= AMXQ4K.tokensPerPass {
            WideKQuant.multiply(Self.self, weights, rows: rows, activations, stride, tokens: tokens, into: output,
                                scratchBytes: AMXQ4K.scratchBytes, kernel: AMXQ4K.multiply)
        } else {
            WideKQuant.multiply(Self.self, weights, rows: rows, activations, stride, tokens: tokens, into: output,
                                scratchBytes: AVX512Q4K.scratchBytes, kernel: AVX512Q4K.multiply)
        }
    }
}

extension Q6_KFormat: WideBatchedProduct {
    /// One four-token pass; fewer tokens would pay the sixteen-row repack for nothing.
    static var wideMinimumTokens: Int { 4 }

    static func multiplyAVX512(_ weights: WeightMatrix, rows: Range<Int>, _ activations: UnsafeRawPointer,
                               activationRowBytes stride: Int, tokens: Int, into output: UnsafeMutablePointer<Float>) {
        // No AMX form: with a scale per sixteen values it measured no faster (see `AMXQ4K`).
        WideKQuant.multiply(Self.self, weights, rows: rows, activations, stride, tokens: tokens, into: output,
                            scratchBytes: AVX512Q6K.scratchBytes, kernel: AVX512Q6K.multiply)
    }
}

/// The K-quant AVX-512 kernels work on sixteen-row groups and four-token passes (the AMX Q4_K
/// one on sixteen-token passes first, then four-token ones); rows beyond
/// the last group go to the AVX2 interleaved kernel, tokens beyond the last pass to single
/// dots (the same order, so the same bits).
enum WideKQuant {
    static let rowsPerGroup = 16

    typealias Kernel = (_ weights: UnsafeRawPointer, _ rowBytes: Int, _ groups: Int, _ blocks: Int,
                        _ activations: UnsafeRawPointer, _ stride: Int, _ tokens: Int,
                        _ output: UnsafeMutablePointer<Float>, _ outputStride: Int, _ scratch: UnsafeMutableRawPointer) -> Int

    @inline(__always)
    static func multiply<F: InterleavedProduct>(_ format: F.Type, _ weights: WeightMatrix, rows: Range<Int>,
                                                _ activations: UnsafeRawPointer, _ stride: Int, tokens: Int,
                                                into output: UnsafeMutablePointer<Float>,
                                                scratchBytes: (_ groups: Int, _ blocks: Int) -> Int, kernel: Kernel) {
        let blocks = weights.columns / KQuant.superBlock
        let groups = rows.count / rowsPerGroup
        let grouped = rows.lowerBound ..< (rows.lowerBound + groups * rowsPerGroup)
        if groups > 0 {
            let handled = ThreadScratch.withBytes(scratchBytes(groups, blocks)) { scratch in
                kernel(weights.row(grouped.lowerBound), weights.rowBytes, groups, blocks, activations, stride, tokens,
                       output + grouped.lowerBound, weights.rows, scratch)
            }
            if handled < tokens {
                BatchedSingleDots.multiply(F.self, weights, rows: grouped, activations, stride, tokens: tokens,
                                           into: output, firstToken: handled)
            }
        }
        if grouped.upperBound < rows.upperBound {
            F.multiply(weights, rows: grouped.upperBound ..< rows.upperBound, activations, activationRowBytes: stride,
                       tokens: tokens, into: output)
        }
    }
}
#endif
