#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

// Four-token micro-kernels: each weight block is loaded and unpacked once, then dotted
// against the same block of four activation rows with four independent accumulators.
// Kept where `apus bench kernels` showed a gain against four single dots (64 tokens,
// 1 thread, A/B in one session): Q4_0 ~2×, Q5_0 ~1.3–1.8× (1536×576), Q4_1 1.3–1.6×
// (1536×576 and 896×4864, binaries alternated three times), Q8_0 1.25–1.6× (same A/B;
// an earlier A/B, before the scale-widening fix, had measured it equal).

extension Q4_0Format: MultiTokenDot {
    public static func dot4(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes: Int,
                            count: Int, results: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let eight = _mm256_set1_epi8(8)
        let sums = Dot4.run(count: count, weightBlockBytes: blockBytes, activationBlockBytes: Q8_0Format.blockBytes,
                            weights, activations, activationRowBytes) { x in
            let quants = _mm256_sub_epi8(AVX2Blocks.nibbles32(x + 2), eight)
            return (_mm256_sign_epi8(quants, quants), quants)
        }
        Dot4.store(sums, results)
        #else
        Dot4.portable(Self.self, weights, activations, activationRowBytes, count, results)
        #endif
    }
}

extension Q8_0Format: MultiTokenDot {
    public static func dot4(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes: Int,
                            count: Int, results: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let sums = Dot4.run(count: count, weightBlockBytes: blockBytes, activationBlockBytes: blockBytes,
                            weights, activations, activationRowBytes) { x in
            let quants = AVX2Blocks.load32(x + 2)
            return (_mm256_sign_epi8(quants, quants), quants)
        }
        Dot4.store(sums, results)
        #else
        Dot4.portable(Self.self, weights, activations, activationRowBytes, count, results)
        #endif
    }
}

extension Q5_0Format: MultiTokenDot {
    public static func dot4(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes: Int,
                            count: Int, results: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let highNibble = _mm256_set1_epi8(Int8(bitPattern: 0xF0))
        let sums = Dot4.run(count: count, weightBlockBytes: blockBytes, activationBlockBytes: Q8_0Format.blockBytes,
                            weights, activations, activationRowBytes) { x in
            let clear = _mm256_andnot_si256(AVX2Blocks.bitsToBytes(x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)), highNibble)
            let quants = _mm256_or_si256(AVX2Blocks.nibbles32(x + 6), clear)
            return (_mm256_sign_epi8(quants, quants), quants)
        }
        Dot4.store(sums, results)
        #else
        Dot4.portable(Self.self, weights, activations, activationRowBytes, count, results)
        #endif
    }
}

extension Q4_1Format: MultiTokenDot {
    public static func dot4(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationRowBytes: Int,
                            count: Int, results: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        // Unsigned quants: the sign operand is all ones (a no-op), and the m·s terms are
        // summed per token in block order, as the single dot does.
        let ones = _mm256_set1_epi8(1)
        var minimumTerms = SIMD4<Float>()
        for block in 0..<(count / 32) {
            let m = loadHalf(weights + block * blockBytes, 2)
            let y = activations + block * Q8_1Format.blockBytes
            minimumTerms += m * SIMD4(loadHalf(y, 2), loadHalf(y + activationRowBytes, 2),
                                      loadHalf(y + 2 * activationRowBytes, 2), loadHalf(y + 3 * activationRowBytes, 2))
        }
        let sums = Dot4.run(count: count, weightBlockBytes: blockBytes, activationBlockBytes: Q8_1Format.blockBytes,
                            quantsOffset: 4, weights, activations, activationRowBytes) { x in
            (AVX2Blocks.nibbles32(x + 4), ones)
        }
        results[0] = AVX2Blocks.horizontalSum(sums.0) + minimumTerms[0]
        results[1] = AVX2Blocks.horizontalSum(sums.1) + minimumTerms[1]
        results[2] = AVX2Blocks.horizontalSum(sums.2) + minimumTerms[2]
        results[3] = AVX2Blocks.horizontalSum(sums.3) + minimumTerms[3]
        #else
        Dot4.portable(Self.self, weights, activations, activationRowBytes, count, results)
        #endif
    }
}

enum Dot4 {
    #if arch(x86_64)
    typealias Sums = (__m256, __m256, __m256, __m256)

    /// The shared loop. `decode(block)` returns the weight block as unsigned magnitudes
    /// and the bytes whose signs are moved onto the activations; the half scale is at offset 0.
    @inline(__always)
    static func run(count: Int, weightBlockBytes: Int, activationBlockBytes: Int, quantsOffset: Int = 2,
                    _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, _ stride: Int,
                    decode: (UnsafeRawPointer) -> (__m256i, __m256i)) -> Sums {
        var s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps()
        for block in 0..<(count / 32) {
            let x = weights + block * weightBlockBytes
            let (magnitudes, signs) = decode(x)
            let y = activations + block * activationBlockBytes
            @inline(__always)
            func term(_ row: UnsafeRawPointer) -> (__m256, __m256) {
                let products = AVX2Blocks.dotUnsigned(magnitudes, _mm256_sign_epi8(AVX2Blocks.load32(row + quantsOffset), signs))
                return (AVX2Blocks.scaleProduct(x, 0, row, 0), products)
            }
            let t0 = term(y), t1 = term(y + stride), t2 = term(y + 2 * stride), t3 = term(y + 3 * stride)
            s0 = _mm256_fmadd_ps(t0.0, t0.1, s0)
            s1 = _mm256_fmadd_ps(t1.0, t1.1, s1)
            s2 = _mm256_fmadd_ps(t2.0, t2.1, s2)
            s3 = _mm256_fmadd_ps(t3.0, t3.1, s3)
        }
        return (s0, s1, s2, s3)
    }

    @inline(__always)
    static func store(_ sums: Sums, _ results: UnsafeMutablePointer<Float>) {
        results[0] = AVX2Blocks.horizontalSum(sums.0)
        results[1] = AVX2Blocks.horizontalSum(sums.1)
        results[2] = AVX2Blocks.horizontalSum(sums.2)
        results[3] = AVX2Blocks.horizontalSum(sums.3)
    }
    #endif

    /// Four single dots, for CPUs without the AVX2 path.
    @inline(__always)
    static func portable<F: QuantFormat>(_ format: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                                         _ stride: Int, _ count: Int, _ results: UnsafeMutablePointer<Float>) {
        for t in 0..<4 { results[t] = F.dot(weights, activations + t * stride, count: count) }
    }
}
