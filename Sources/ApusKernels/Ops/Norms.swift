/// Row normalisations. Each has a scalar reference (double accumulation, as ggml's
/// `ggml_compute_forward_rms_norm_f32` sums in `ggml_float`) and a SIMD version.
public enum Norms {
    /// `y = x / sqrt(mean(x²) + eps) * weight` for one row of `count` values (reference).
    /// `weight` may be nil (plain RMS normalisation). `y` may alias `x`.
    public static func rmsNormReference(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                        epsilon: Float, count: Int, into y: UnsafeMutablePointer<Float>) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i]) * Double(x[i]) }
        let scale = 1 / (Float(sum / Double(count)) + epsilon).squareRoot()
        for i in 0..<count { y[i] = x[i] * scale * (weight?[i] ?? 1) }
    }

    /// Fast RMSNorm of one row; agrees with `rmsNormReference` to float rounding.

    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                               epsilon: Float, count: Int, into y: UnsafeMutablePointer<Float>) {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            acc0.addProduct(a, a)
            acc1.addProduct(b, b)
            i += 16
        }
        var sum = Double((acc0 + acc1).sum())
        while i < count { sum += Double(x[i]) * Double(x[i]); i += 1 }
        let scale = 1 / (Float(sum / Double(count)) + epsilon).squareRoot()
        if let weight {
            for j in 0..<count { y[j] = x[j] * scale * weight[j] }
        } else {
            for j in 0..<count { y[j] = x[j] * scale }
        }
    }
}
