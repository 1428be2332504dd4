/// Row normalisations, rounded as ggml's `ggml_compute_forward_rms_norm_f32`: each square
/// rounded to float, the squares added one after another in double precision (the order
/// matters even in double: changing it moved SmolLM2's logits by up to 1 against
/// llama.cpp's), the scale `1/√(mean + eps)` in float, then `x·scale·weight`.
public enum Norms {
    /// `y = x / sqrt(mean(x²) + eps) * weight` for one row of `count` values (reference).
    /// `weight` may be nil (plain RMS normalisation). `y` may alias `x`.
    public static func rmsNormReference(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                        epsilon: Float, count: Int, into y: UnsafeMutablePointer<Float>) {
        let scale = inverseRootMeanSquare(x, epsilon: epsilon, count: count)
        for i in 0..<count { y[i] = x[i] * scale * (weight?[i] ?? 1) }
    }

    /// `1/√(mean(x²) + eps)` with ggml's roundings; sequential, so there is one version.
    @inline(__always)
    static func inverseRootMeanSquare(_ x: UnsafePointer<Float>, epsilon: Float, count: Int) -> Float {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i] * x[i]) }
        return 1 / (Float(sum / Double(count)) + epsilon).squareRoot()
    }

    /// Fast RMSNorm of one row, equal to `rmsNormReference` bit for bit (branch-free inner
    /// loops the compiler vectorises; the sum is shared).

    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                               epsilon: Float, count: Int, into y: UnsafeMutablePointer<Float>) {
        let scale = inverseRootMeanSquare(x, epsilon: epsilon, count: count)
        if let weight {
            for j in 0..<count { y[j] = x[j] * scale * weight[j] }
        } else {
            for j in 0..<count { y[j] = x[j] * scale }
        }
    }
}
