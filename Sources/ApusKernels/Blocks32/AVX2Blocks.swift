#if arch(x86_64)
import _Builtin_intrinsics.intel

/// AVX2 building blocks shared by the 32-element block kernels.
///
/// These are the instruction sequences ggml's x86 path uses (unsigned×signed
/// `vpmaddubsw`, then `vpmaddwd` against ones), written as small always-inlined
/// functions so each kernel's loop stays a handful of instructions.
enum AVX2Blocks {
    /// Loads 32 bytes from an unaligned address.
    @inline(__always)
    static func load32(_ pointer: UnsafeRawPointer) -> __m256i {
        _mm256_loadu_si256(pointer.assumingMemoryBound(to: __m256i_u.self))
    }

    /// Expands 16 bytes of packed nibbles into 32 bytes: low nibbles in bytes 0…15,
    /// high nibbles in bytes 16…31 (ggml's element order within a block).
    @inline(__always)
    static func nibbles32(_ pointer: UnsafeRawPointer) -> __m256i {
        let packed = _mm_loadu_si128(pointer.assumingMemoryBound(to: __m128i_u.self))
        let both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed)
        return _mm256_and_si256(both, _mm256_set1_epi8(0x0F))
    }

    /// Spreads the 32 bits of `bits` over 32 bytes: byte k is 0xFF if bit k is set, else 0.
    @inline(__always)
    static func bitsToBytes(_ bits: UInt32) -> __m256i {
        // Byte k takes source byte k/8, then keeps only bit k%8 of it.
        let replicated = _mm256_shuffle_epi8(
            _mm256_set1_epi32(Int32(bitPattern: bits)),
            _mm256_set_epi64x(0x0303_0303_0303_0303, 0x0202_0202_0202_0202,
                              0x0101_0101_0101_0101, 0x0000_0000_0000_0000))
        let lanes = _mm256_set1_epi64x(Int64(bitPattern: 0x8040_2010_0804_0201))
        return _mm256_cmpeq_epi8(_mm256_and_si256(replicated, lanes), lanes)
    }

    /// Sums of products of signed bytes, four bytes per lane, as 8 floats.
    ///
    /// `vpmaddubsw` needs one unsigned operand, so the sign of `x` moves onto `y`
    /// (`|x|·(y·sign x)`); `y` must not hold -128 (our activation quantizers give -127…127).
    @inline(__always)
    static func dotSigned(_ x: __m256i, _ y: __m256i) -> __m256 {
        let absX = _mm256_sign_epi8(x, x)
        let signedY = _mm256_sign_epi8(y, x)
        return dotUnsigned(absX, signedY)
    }

    /// Sums of products of unsigned bytes `x` (≤ 128) and signed bytes `y`, four bytes
    /// per lane, as 8 floats.
    @inline(__always)
    static func dotUnsigned(_ x: __m256i, _ y: __m256i) -> __m256 {
        let pairs = _mm256_maddubs_epi16(x, y)
        let quads = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1))
        return _mm256_cvtepi32_ps(quads)
    }

    /// The product of the halves at `x + xOffset` and `y + yOffset`, in all 8 lanes.
    ///
    /// Each half is broadcast (`vpbroadcastw` from memory) before widening so that every
    /// lane is used: with a scalar widen LLVM emitted `vpinsrw` merging into a stale
    /// register, the FMA accumulator, which made each block wait for the previous FMA.
    @inline(__always)
    static func scaleProduct(_ x: UnsafeRawPointer, _ xOffset: Int, _ y: UnsafeRawPointer, _ yOffset: Int) -> __m256 {
        let a = _mm_cvtph_ps(_mm_set1_epi16(x.loadUnaligned(fromByteOffset: xOffset, as: Int16.self)))
        let b = _mm_cvtph_ps(_mm_set1_epi16(y.loadUnaligned(fromByteOffset: yOffset, as: Int16.self)))
        let product = _mm_mul_ps(a, b)
        return _mm256_set_m128(product, product)
    }

    /// Adds the 8 lanes of `v`.
    @inline(__always)
    static func horizontalSum(_ v: __m256) -> Float {
        let halves = v.lowHalf + v.highHalf
        let pairs = halves.lowHalf + halves.highHalf
        return pairs[0] + pairs[1]
    }
}
#endif
