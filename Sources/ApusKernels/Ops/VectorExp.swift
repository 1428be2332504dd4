/// e^x for eight floats at once, by the range reduction and polynomial that ggml's AVX2
/// path uses (`ggml_v_expf`): x = n·ln2 + b with n an integer, e^b from a degree-5
/// polynomial, the result scaled by 2^n through the exponent bits. Within 1–2 ulp of
/// `expf`; what matters more is that it rounds exactly as llama.cpp does, because its
/// softmax and SiLU use it and last-bit differences there flip 8-bit activation
/// quantization further on.
public enum VectorExp {
    /// e^x lane by lane; +inf above ~88.7, 0 below ~−103 and for −inf.
    @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let shifter = SIMD8<Float>(repeating: 0x1.8p23)
        // z = x·log2(e) + 1.5·2^23: adding the shifter rounds to an integer in the low mantissa bits.
        let z = shifter.addingProduct(x, SIMD8(repeating: 0x1.715476p+0))
        let n = z - shifter
        // b = x − n·ln2, with ln2 split in two parts so the subtraction stays exact.
        let b = x.addingProduct(-n, SIMD8(repeating: 0x1.62e4p-1)).addingProduct(-n, SIMD8(repeating: 0x1.7f7d1cp-20))
        let zBits = unsafeBitCast(z, to: SIMD8<UInt32>.self)
        let e = zBits &<< 23
        let k = unsafeBitCast(e &+ SIMD8(repeating: Float(1).bitPattern), to: SIMD8<Float>.self)
        let u = b * b
        let odd = SIMD8<Float>(repeating: 0x1.573e2ep-5).addingProduct(SIMD8(repeating: 0x1.0e4020p-7), b)
        let even = SIMD8<Float>(repeating: 0x1.fffdb6p-2).addingProduct(SIMD8(repeating: 0x1.555e66p-3), b)
        let j = (SIMD8<Float>(repeating: 0x1.ffffecp-1) * b).addingProduct(even.addingProduct(odd, u), u)
        let magnitude = unsafeBitCast(unsafeBitCast(n, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: SIMD8<Float>.self)
        let large = magnitude .> 126
        if !any(large) { return k.addingProduct(j, k) }
        // |n| > 126: 2^n is not a normal float; scale in two steps (or saturate past 192).
        let g = SIMD8<UInt32>(repeating: 0).replacing(with: 0x8200_0000, where: n .<= SIMD8<Float>(repeating: 0))
        let s1 = unsafeBitCast(g &+ 0x7f00_0000, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast(e &- g, to: SIMD8<Float>.self)
        var result = k.addingProduct(k, j)
        result.replace(with: s2.addingProduct(s2, j) * s1, where: large)
        result.replace(with: s1 * s1, where: magnitude .> 192)
        return result
    }

    /// SiLU, x / (1 + e^−x), lane by lane as ggml computes it.
    @inline(__always)
    public static func silu(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x / (1 + exp(-x))
    }
}
