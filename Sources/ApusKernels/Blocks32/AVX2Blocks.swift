#if arch(x86_64)
import _Builtin_intrinsics.intel

/// AVX2 building blocks shared by the 32-element block kernels (and, for four-row
/// dots, the K-quants).
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
    ///
    /// The 16 bytes are loaded into both 128-bit lanes at once (`vbroadcasti128`, a load
    /// with no shuffle) and only the high lane is shifted (`vpsrlvd` by 0 and 4): two
    /// vector operations instead of ggml's three (shift, insert, mask), the same bytes.
    @inline(__always)
    static func nibbles32(_ pointer: UnsafeRawPointer) -> __m256i {
        let both = _mm256_broadcastsi128_si256(_mm_loadu_si128(pointer.assumingMemoryBound(to: __m128i_u.self)))
        let shifted = _mm256_srlv_epi32(both, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4))
        return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F))
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

    /// The first two halves of the blocks at `x`, `x + rowBytes`, `x + 2·rowBytes` and
    /// `x + 3·rowBytes` (four rows' blocks at the same column), widened: lanes 2r and 2r + 1
    /// are row r's halves at offsets 0 and 2 (Q4_1's `d`, `m`; for Q8_0 and Q5_0 the odd
    /// lanes are whatever follows `d` and are not used). One 32-bit load per row.
    @inline(__always)
    static func fourRowHalfPairs(_ x: UnsafeRawPointer, rowBytes: Int) -> __m256 {
        _mm256_cvtph_ps(fourRowWords(x, rowBytes: rowBytes))
    }

    /// The 32-bit words at `x`, `x + rowBytes`, `x + 2·rowBytes`, `x + 3·rowBytes` (the
    /// same field of four rows' blocks), in lanes 0…3.
    @inline(__always)
    static func fourRowWords(_ x: UnsafeRawPointer, rowBytes: Int) -> __m128i {
        _mm_setr_epi32(x.loadUnaligned(as: Int32.self), (x + rowBytes).loadUnaligned(as: Int32.self),
                       (x + 2 * rowBytes).loadUnaligned(as: Int32.self), (x + 3 * rowBytes).loadUnaligned(as: Int32.self))
    }

    /// Lane `lane` of `v` in all 8 lanes (row r's block scale from a product of
    /// `fourRowHalfPairs` is lane 2r).
    @inline(__always)
    static func broadcastLane(_ v: __m256, _ lane: Int32) -> __m256 {
        _mm256_permutevar8x32_ps(v, _mm256_set1_epi32(lane))
    }

    /// Adds the 8 lanes of each accumulator in `horizontalSum`'s order.
    @inline(__always)
    static func horizontalSums(_ a: __m256, _ b: __m256, _ c: __m256, _ d: __m256) -> SIMD4<Float> {
        SIMD4(horizontalSum(a), horizontalSum(b), horizontalSum(c), horizontalSum(d))
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
