#if arch(x86_64)
import _Builtin_intrinsics.intel

// This target is compiled with AVX-512 F/BW/VL/VNNI enabled, so LLVM may use those
// instructions anywhere in it: nothing here may run unless `InstructionSet.active` is
// `.avx512`. Its entry points take raw pointers and plain integers only, and its code uses
// intrinsics rather than generic standard-library code, so no specialisation compiled with
// these flags can be shared with (and picked by the linker for) the rest of the program.

/// Small helpers shared by the AVX-512 kernels.
enum Wide {

    /// The pass structure of the sixteen-row super-block kernels (Q4_K, Q6_K): repack every
    /// group of `rowsPerGroup` rows into scratch with `interleave(rows, destination)`, then run
    /// `pass(packedGroup, activations, output)` over the tokens in passes of `tokensPerPass`,
    /// in spans whose activations stay in L2 beside the groups. With `widePass` (the AMX
    /// kernels), the tokens up to a multiple of `wideTokensPerPass` go to it instead and only
    /// the rest to `pass`. Returns the tokens handled (the wide tokens plus the rest rounded
    /// down to a multiple of `tokensPerPass`). Inlined, so each kernel's closures compile into
    /// its own loop.
    @inline(__always)
    static func interleavedPasses(weights: UnsafeRawPointer, rowBytes: Int, groups: Int, blocks: Int,
                                  rowsPerGroup: Int, tokensPerPass: Int, groupBlockBytes: Int,
                                  activations: UnsafeRawPointer, stride: Int, tokens: Int,
                                  output: UnsafeMutablePointer<Float>, outputStride: Int,
                                  scratch: UnsafeMutableRawPointer,
                                  interleave: (UnsafeRawPointer, UnsafeMutableRawPointer) -> Void,
                                  pass: (UnsafeRawPointer, UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void,
                                  wideTokensPerPass: Int = 0,
                                  widePass: ((UnsafeRawPointer, UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void)? = nil) -> Int {
        let wideHandled = widePass == nil ? 0 : tokens / wideTokensPerPass * wideTokensPerPass
        let handled = wideHandled + (tokens - wideHandled) / tokensPerPass * tokensPerPass
        guard handled > 0, groups > 0 else { return 0 }
        for group in 0 ..< groups {
            interleave(weights + group * rowsPerGroup * rowBytes, scratch + group * blocks * groupBlockBytes)
        }
        // Spans start at multiples of the widest pass, so wide passes never straddle two.
        let unit = max(tokensPerPass, wideTokensPerPass)
        let span = max(unit, 393_216 / stride / unit * unit)
        var spanStart = 0
        while spanStart < handled {
            let spanEnd = min(handled, spanStart + span)
            for group in 0 ..< groups {
                let packed = UnsafeRawPointer(scratch + group * blocks * groupBlockBytes)
                var first = spanStart
                while first < spanEnd {
                    if let widePass, first < wideHandled {
                        widePass(packed, activations + first * stride, output + first * outputStride + group * rowsPerGroup)
                        first += wideTokensPerPass
                    } else {
                        pass(packed, activations + first * stride, output + first * outputStride + group * rowsPerGroup)
                        first += tokensPerPass
                    }
                }
            }
            spanStart = spanEnd
        }
        return handled
    }

    /// The half-precision value at `base + offset`, widened.
    @inline(__always)
    static func half(_ base: UnsafeRawPointer, _ offset: Int) -> Float {
        _mm_cvtss_f32(_mm_cvtph_ps(_mm_set1_epi16(base.loadUnaligned(fromByteOffset: offset, as: Int16.self))))
    }

    /// The eight lanes of `v` added in AVX2Blocks.horizontalSum's tree (the order every
    /// 32-value-block format's `dot` uses): lanes i and i + 4, then those sums' lanes j and
    /// j + 2, then the last two. It is also tinyBLAS's (`SummationOrder.tinyBLASSum`, the
    /// softmax group sums).
    @inline(__always)
    static func horizontalSum(_ v: __m256) -> Float {
        let high = _mm256_castps256_ps128(_mm256_permutevar8x32_ps(v, _mm256_set_epi32(7, 6, 5, 4, 7, 6, 5, 4)))
        let halves = _mm_add_ps(_mm256_castps256_ps128(v), high)
        let pairs = _mm_add_ps(halves, _mm_movehl_ps(halves, halves))
        return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehdup_ps(pairs)))
    }

    /// Lanes 0…7 of `v`.
    @inline(__always)
    static func lowHalf(_ v: __m512) -> __m256 { _mm512_castps512_ps256(v) }

    /// Lanes 8…15 of `v`.
    @inline(__always)
    static func highHalf(_ v: __m512) -> __m256 {
        _mm512_castps512_ps256(_mm512_permutexvar_ps(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 15, 14, 13, 12, 11, 10, 9, 8), v))
    }

    /// 64 bytes at `pointer` (any alignment).
    @inline(__always)
    static func load64(_ pointer: UnsafeRawPointer) -> __m512i {
        _mm512_loadu_si512(pointer)
    }

    /// 32 bytes at `pointer` (any alignment).
    @inline(__always)
    static func load32(_ pointer: UnsafeRawPointer) -> __m256i {
        _mm256_loadu_si256(pointer.assumingMemoryBound(to: __m256i_u.self))
    }

    /// Stores 32 bytes at `pointer` (any alignment).
    @inline(__always)
    static func store32(_ pointer: UnsafeMutableRawPointer, _ value: __m256i) {
        _mm256_storeu_si256(pointer.assumingMemoryBound(to: __m256i_u.self), value)
    }

    /// Stores 64 bytes at `pointer` (any alignment).
    @inline(__always)
    static func store64(_ pointer: UnsafeMutableRawPointer, _ value: __m512i) {
        _mm512_storeu_si512(pointer, value)
    }
}
#endif
