#if arch(x86_64)
import _Builtin_intrinsics.intel
import ApusKernelsAMX

/// The AMX form of the batched Q4_K product: sixteen tokens against a sixteen-row group per
/// pass, the integer sub-block sums from AMX tiles, everything else as in the AVX-512 kernel.
///
/// The weights are the AVX-512 kernels' interleaved groups, whose per-sub-block quads (row r
/// in 32-bit lane r) are exactly an AMX B tile, and the activations are read in place from
/// the Q8_K rows as an A tile (sixteen tokens, `stride` apart). `tdpbsud` gives, for each
/// (token, row), the exact integer sum of one sub-block's products, the same integers the
/// AVX-512 kernel's `vpdpbusd` chains produce. Those are scaled and folded into float by the
/// very operations `AVX512Q4K.fourTokens` uses, so results equal it, the AVX2 kernels and the
/// scalar reference bit for bit. Tokens beyond the last sixteen go to the four-token AVX-512
/// passes.
///
/// The per-sub-block scales keep the sums from accumulating in the tiles: every sub-block's
/// 16×16 result is stored and scaled with AVX-512, and those stores and the scaling bound the
/// kernel, not the tile products (1.5–1.7× the AVX-512 kernel on one thread). Q6_K has a scale
/// per sixteen values, so its tiles would hold half as much depth with twice the stores: that
/// form measured no faster than `AVX512Q6K` (0.7–1.0×) and was dropped, as was a 32-token pass
/// (its 32 KB of results leave L1); see BENCHMARKS.md.
///
/// Runs only when `InstructionSet.active` is `.amx`, which needs the Linux permission for the
/// tile state and a successful `AMXTiles.probe()`. One thread's tile configuration lasts for
/// one call (loaded at its start, released at its end), so pool threads need no set-up.
public enum AMXQ4K {
    /// Tokens per AMX pass (the rows of an A tile).
    public static let tokensPerPass = 16
    /// The pass's integer results (eight sub-blocks of 16×16 Int32) and its sixteen tokens'
    /// float accumulators (two 64-byte vectors each).
    static let workBytes = 8 * 1024 + 16 * 128

    /// Scratch bytes `multiply` needs (`AVX512Q4K`'s plus the pass's work area).
    public static func scratchBytes(groups: Int, blocks: Int) -> Int {
        AVX512Q4K.scratchBytes(groups: groups, blocks: blocks) + workBytes
    }

    /// As `AVX512Q4K.multiply`; the tokens up to a multiple of sixteen go through the tiles.
    public static func multiply(weights: UnsafeRawPointer, rowBytes: Int, groups: Int, blocks: Int,
                                activations: UnsafeRawPointer, activationRowBytes stride: Int, tokens: Int,
                                output: UnsafeMutablePointer<Float>, outputStride: Int,
                                scratch: UnsafeMutableRawPointer) -> Int {
        typealias K = AVX512Q4K
        let work = scratch + K.scratchBytes(groups: groups, blocks: blocks)
        apus_amx_configure(32)
        defer { apus_amx_release() }
        return Wide.interleavedPasses(
            weights: weights, rowBytes: rowBytes, groups: groups, blocks: blocks,
            rowsPerGroup: K.rowsPerGroup, tokensPerPass: K.tokensPerPass, groupBlockBytes: K.groupBlockBytes,
            activations: activations, stride: stride, tokens: tokens, output: output, outputStride: outputStride,
            scratch: scratch,
            interleave: { K.interleave($0, rowBytes: rowBytes, blocks: blocks, into: $1) },
            pass: { K.fourTokens($0, blocks: blocks, $1, stride, $2, outputStride) },
            wideTokensPerPass: tokensPerPass,
            widePass: { q4KSixteenTokens($0, blocks: blocks, $1, stride, $2, outputStride, work) })
    }

    /// Sixteen tokens against one Q4_K group: per super-block, the tiles give the eight
    /// sub-blocks' sums; then per token, chunk by chunk, `AVX512Q4K.fourTokens`'s fold.
    @inline(__always)
    private static func q4KSixteenTokens(_ packed: UnsafeRawPointer, blocks: Int, _ y: UnsafeRawPointer, _ stride: Int,
                                         _ out: UnsafeMutablePointer<Float>, _ outputStride: Int,
                                         _ work: UnsafeMutableRawPointer) {
        typealias K = AVX512Q4K
        let results = UnsafeRawPointer(work)
        let sums = work + 8 * 1024
        clearSums(sums)
        for block in 0 ..< blocks {
            let x = packed + block * K.groupBlockBytes
            let offset = block * K.activationBlockBytes
            apus_amx_subblock_products(y + offset + 4, stride, x, 32, 8, work.assumingMemoryBound(to: Int32.self))
            let rowD = x.load(fromByteOffset: K.dOffset, as: __m512.self)
            let rowDmin = x.load(fromByteOffset: K.dminOffset, as: __m512.self)
            for t in 0 ..< tokensPerPass {
                let a = y + t * stride + offset
                let ts = _mm512_set1_ps(a.loadUnaligned(as: Float.self))
                let d = _mm512_mul_ps(rowD, ts), dmin = _mm512_mul_ps(rowDmin, ts)
                let p = K.subBlockSumPairs(a)
                let accumulator = sums + 128 * t
                var acc = accumulator.load(as: __m512.self), minimum = accumulator.load(fromByteOffset: 64, as: __m512.self)
                @inline(__always) func chunk(_ c: Int, _ pair: Int32) {
                    var i = _mm512_setzero_si512()
                    for subBlock in 2 * c ..< 2 * c + 2 {
                        let q = results.load(fromByteOffset: 1024 * subBlock + 64 * t, as: __m512i.self)
                        let scale = x.load(fromByteOffset: K.scalesOffset + 64 * subBlock, as: __m512i.self)
                        i = _mm512_add_epi32(i, _mm512_mullo_epi32(q, scale))
                    }
                    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i), d, acc)
                    let mins = x.load(fromByteOffset: K.minsOffset + 64 * c, as: __m512i.self)
                    let minSums = _mm512_dpwssd_epi32(_mm512_setzero_si512(), mins, _mm512_set1_epi32(pair))
                    minimum = _mm512_fmadd_ps(_mm512_cvtepi32_ps(minSums), dmin, minimum)
                }
                chunk(0, p.0)
                chunk(1, p.1)
                chunk(2, p.2)
                chunk(3, p.3)
                accumulator.storeBytes(of: acc, as: __m512.self)
                accumulator.storeBytes(of: minimum, toByteOffset: 64, as: __m512.self)
            }
        }
        for t in 0 ..< tokensPerPass {
            let accumulator = UnsafeRawPointer(sums + 128 * t)
            let result = _mm512_sub_ps(accumulator.load(as: __m512.self), accumulator.load(fromByteOffset: 64, as: __m512.self))
            _mm512_storeu_ps(UnsafeMutableRawPointer(out + t * outputStride), result)
        }
    }

    /// Zeroes the sixteen tokens' accumulators.
    @inline(__always)
    private static func clearSums(_ sums: UnsafeMutableRawPointer) {
        for t in 0 ..< 2 * tokensPerPass {
            sums.storeBytes(of: _mm512_setzero_ps(), toByteOffset: 64 * t, as: __m512.self)
        }
    }
}
#endif
