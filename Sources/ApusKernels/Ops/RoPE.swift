import Foundation

/// Rotary position embeddings, in the two pairings ggml knows.
///
/// `normal` rotates adjacent pairs (x[2i], x[2i+1]) — llama.cpp's LLAMA_ROPE_TYPE_NORM,
/// used for `llama` (whose Q/K weights were permuted at conversion to suit it);
/// `neox` rotates (x[i], x[i + d/2]) — used for `qwen2` and `gemma3`.
/// Angles are computed as ggml does (theta = pos · base^(−2i/d) by repeated multiplication
/// in Float), so results match llama.cpp bit for bit where the float ops agree.
public enum RoPE {
    /// Which elements form a rotated pair.
    public enum Style: Sendable { case normal, neox }

    /// Precomputed cos/sin for one position: `dimensions / 2` pairs.
    public struct Angles {
        /// Fills `cos`/`sin` (each `dimensions / 2` long) for `position`.
        public static func compute(position: Int, dimensions: Int, base: Float,
                                   cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
            let thetaScale = powf(base, -2 / Float(dimensions))
            var theta = Float(position)
            for i in 0..<dimensions / 2 {
                cos[i] = cosf(theta)
                sin[i] = sinf(theta)
                theta *= thetaScale
            }
        }
    }

    /// Rotates `heads` heads of `headDimension` values each (rotating the first
    /// `dimensions` of each head) in place, with angles from `Angles.compute`.
    /// Each output is one product fused into the other's rounded product, as GCC
    /// contracts ggml's `x0*cos - x1*sin` (the reference build: FMA on, contraction on).

    public static func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int, dimensions: Int,
                             style: Style, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = dimensions / 2
        for h in 0..<heads {
            let v = x + h * headDimension
            switch style {
            case .normal:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = (-(b * sin[i])).addingProduct(a, cos[i])
                    v[2 * i + 1] = (b * cos[i]).addingProduct(a, sin[i])
                }
            case .neox:
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = (-(b * sin[i])).addingProduct(a, cos[i])
                    v[i + half] = (b * cos[i]).addingProduct(a, sin[i])
                }
            }
        }
    }
}
