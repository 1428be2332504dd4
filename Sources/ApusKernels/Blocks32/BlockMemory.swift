// Byte-level access to the fields of GGML blocks.
//
// Blocks in a file are packed without padding (`block_q4_0` is 18 bytes), so every
// field read is an unaligned little-endian load from a raw pointer.

/// Reads the IEEE half at `offset` and widens it to Float (F16C `vcvtph2ps` on x86).
/// In AVX2 loops use `AVX2Blocks.scaleProduct` for block scales (see there why).
@inline(__always)
func loadHalf(_ base: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

/// Rounds `value` to the nearest half (ties to even, as F16C's `vcvtps2ph` with
/// rounding mode 0 that ggml uses) and stores it at `offset`.
@inline(__always)
func storeHalf(_ value: Float, _ base: UnsafeMutableRawPointer, _ offset: Int) {
    base.storeBytes(of: Float16(value).bitPattern, toByteOffset: offset, as: UInt16.self)
}

/// Reads the signed byte at `offset`.
@inline(__always)
func loadInt8(_ base: UnsafeRawPointer, _ offset: Int) -> Int32 {
    Int32(base.load(fromByteOffset: offset, as: Int8.self))
}

/// Reads the unsigned byte at `offset`.
@inline(__always)
func loadUInt8(_ base: UnsafeRawPointer, _ offset: Int) -> Int32 {
    Int32(base.load(fromByteOffset: offset, as: UInt8.self))
}

/// Converts a float to Int32 the way x86's `cvtps2dq` does under the default rounding
/// mode: nearest, ties to even; NaN and out-of-range values give Int32.min.
///
/// ggml's AVX2 activation quantizers convert this way, then narrow with signed
/// saturation; mirroring it keeps reference and fast quantizers byte-identical and
/// keeps bad input (NaN, infinity) from trapping.
@inline(__always)
func convertLikeCVT(_ value: Float) -> Int32 {
    guard value >= -2_147_483_648.0, value < 2_147_483_648.0 else { return Int32.min }
    return Int32(value.rounded(.toNearestOrEven))
}

/// Narrows with signed saturation to Int8, as `packssdw` followed by `packsswb` do.
@inline(__always)
func saturatingInt8(_ value: Int32) -> Int8 {
    Int8(max(-128, min(127, value)))
}

/// C's `(int8_t)(value)` truncation for the values ggml's Q4 quantizers produce,
/// made total: NaN gives 0 and out-of-range values clamp instead of being undefined.
@inline(__always)
func truncatingToInt8(_ value: Float) -> Int32 {
    guard value == value else { return 0 }
    return Int32(max(-128, min(127, value.rounded(.towardZero))))
}

/// Scalar reference of an 8-bit weight row (Q8_0 or Q8_1: half scale at byte 0, 32 quants
/// at `weightQuantsOffset`) dotted with Q8_0 activations: per block the integer sum times
/// both scales, accumulated in Float, as ggml's generic C does.
func q8WeightDotReference(_ weights: UnsafeRawPointer, weightQuantsOffset: Int, weightBlockBytes: Int,
                          _ activations: UnsafeRawPointer, count: Int) -> Float {
    var sum: Float = 0
    for block in 0..<(count / 32) {
        let x = weights + block * weightBlockBytes
        let y = activations + block * Q8_0Format.blockBytes
        var sumi: Int32 = 0
        for j in 0..<32 {
            sumi += loadInt8(x, weightQuantsOffset + j) * loadInt8(y, 2 + j)
        }
        sum += Float(sumi) * loadHalf(x, 0) * loadHalf(y, 0)
    }
    return sum
}
