/// Layout facts and bit-unpacking helpers shared by the K-quant formats.
///
/// K-quants group 256 values into a super-block. Q4_K and Q5_K pack eight 6-bit scales and
/// eight 6-bit mins into 12 bytes; Q3_K packs sixteen 6-bit scales into 12 bytes. The
/// helpers below unpack them exactly as ggml does, so that every format file reads the
/// same way.
enum KQuant {
    /// Values per super-block (ggml's `QK_K`).
    static let superBlock = 256

    /// Reads a little-endian IEEE half at `offset` and widens it (F16C `vcvtph2ps` on x86).
    @inline(__always)
    static func half(_ base: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// Reads a little-endian `UInt32` at `offset` (unaligned).
    @inline(__always)
    static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// Round-to-nearest-even for |x| < 2^22, done as ggml's `nearest_int` does (adding
    /// 1.5·2^23 and reading the mantissa), so results match bit for bit and a NaN gives a
    /// garbage integer instead of a trap.
    @inline(__always)
    static func nearestInt(_ x: Float) -> Int32 {
        let shifted = x + 12_582_912
        return Int32(bitPattern: shifted.bitPattern & 0x007F_FFFF) &- 0x0040_0000
    }

    /// Unpacks the 12-byte scale/min field of Q4_K and Q5_K into four words: bytes 0…7 of
    /// the result are the eight 6-bit scales, bytes 8…15 the eight 6-bit mins.
    ///
    /// The layout (ggml's `get_scale_min_k4`): bytes 0…3 hold scales 0…3 in their low six
    /// bits, bytes 4…7 mins 0…3; bytes 8…11 hold the low nibbles of scales 4…7 (low half)
    /// and mins 4…7 (high half), whose top two bits sit in bits 6…7 of bytes 0…3 and 4…7.
    @inline(__always)
    static func scalesAndMins(_ packed: UnsafeRawPointer) -> (UInt32, UInt32, UInt32, UInt32) {
        let w0 = word(packed, 0), w1 = word(packed, 4), w2 = word(packed, 8)
        let low6: UInt32 = 0x3F3F_3F3F, nibbles: UInt32 = 0x0F0F_0F0F, twoBits: UInt32 = 0x0303_0303
        let scalesLow = w0 & low6
        let scalesHigh = (w2 & nibbles) | (((w0 >> 6) & twoBits) << 4)
        let minsLow = w1 & low6
        let minsHigh = ((w2 >> 4) & nibbles) | (((w1 >> 6) & twoBits) << 4)
        return (scalesLow, scalesHigh, minsLow, minsHigh)
    }

    /// Byte `index` (0…3) of `word`.
    @inline(__always)
    static func byte(_ word: UInt32, _ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: word >> UInt32(8 * index))
    }

    /// Unpacks Q3_K's 12-byte field into sixteen 6-bit scales, still biased by +32
    /// (subtract 32 for the signed scale), returned as four words of four bytes.
    ///
    /// Bytes 0…7 hold the low nibbles of scales 0…7 (low half) and 8…15 (high half);
    /// bytes 8…11 hold the top two bits, scale j in byte 8 + j % 4 at bit 2·(j / 4).
    @inline(__always)
    static func q3Scales(_ packed: UnsafeRawPointer) -> (UInt32, UInt32, UInt32, UInt32) {
        let w0 = word(packed, 0), w1 = word(packed, 4), w2 = word(packed, 8)
        let nibbles: UInt32 = 0x0F0F_0F0F, twoBits: UInt32 = 0x0303_0303
        return (
            (w0 & nibbles) | (((w2 >> 0) & twoBits) << 4),
            (w1 & nibbles) | (((w2 >> 2) & twoBits) << 4),
            ((w0 >> 4) & nibbles) | (((w2 >> 4) & twoBits) << 4),
            ((w1 >> 4) & nibbles) | (((w2 >> 6) & twoBits) << 4)
        )
    }

    /// Scale `index` (0…15) from the four words returned by `q3Scales` or the eight scales
    /// and mins of `scalesAndMins` (indices 0…7 scales, 8…15 mins).
    @inline(__always)
    static func byte(_ words: (UInt32, UInt32, UInt32, UInt32), _ index: Int) -> UInt8 {
        let word: UInt32
        switch index >> 2 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return byte(word, index & 3)
    }

    /// One super-block of the Q4_K/Q5_K reference dot, after the weights are unpacked to
    /// `values` (256 unsigned quants): integer sums in eight lanes times the 6-bit scales,
    /// scaled by `d` into `lanes`, and the min term `dmin · Σ bsums · min` taken from `sum`
    /// (ggml's `ggml_vec_dot_q4_K_q8_K_generic` / `…q5_K…` order). Scales and mins sit at
    /// byte 4 of the weight block, `d` and `dmin` at bytes 0 and 2.
    static func accumulateScaledBlock(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, values: [Int32],
                                      lanes: inout SIMD8<Float>, sum: inout Float) {
        let packed = scalesAndMins(x + 4)
        var minSum: Int32 = 0
        for group in 0 ..< 16 {
            let groupSum = Int32(y.loadUnaligned(fromByteOffset: Q8_KFormat.sumsOffset + 2 * group, as: Int16.self))
            minSum &+= groupSum &* Int32(byte(packed, 8 + group / 2))
        }
        let q8 = (y + Q8_KFormat.quantsOffset).assumingMemoryBound(to: Int8.self)
        var integerLanes = SIMD8<Int32>(repeating: 0)
        for index in 0 ..< superBlock {
            let scale = Int32(byte(packed, index / 32))
            integerLanes[index % 8] &+= scale &* (Int32(q8[index]) &* values[index])
        }
        let activationScale = y.loadUnaligned(as: Float.self)
        let d = half(x, 0) * activationScale
        for lane in 0 ..< 8 { lanes[lane] += d * Float(integerLanes[lane]) }
        let dmin = half(x, 2) * activationScale
        sum -= dmin * Float(minSum)
    }
}
