import Foundation

/// Element-wise activations of the feed-forward networks.
public enum Activations {
    /// SwiGLU: `gate[i] = silu(gate[i]) * up[i]` for `count` values (in place in `gate`).

    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// GeGLU with the tanh approximation of GELU (Gemma):
    /// `gate[i] = gelu_tanh(gate[i]) * up[i]` in place.

    public static func gegluTanh(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        let sqrt2OverPi: Float = 0.797_884_560_802_865_4
        for i in 0..<count {
            let x = gate[i]
            let gelu = 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + 0.044715 * x * x)))
            gate[i] = gelu * up[i]
        }
    }

    /// Numerically stable softmax of `count` values in place.

    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { x[i] *= inverse }
    }
}
