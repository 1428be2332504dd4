import Foundation

/// Element-wise activations of the feed-forward networks, rounded as llama.cpp's CPU
/// backend rounds them (the same tokens need the same last bits: the result is quantized
/// to 8 bits for the down projection next).
public enum Activations {
    /// SwiGLU: `gate[i] = silu(gate[i]) * up[i]` for `count` values (in place in `gate`),
    /// eight at a time with ggml's vector e^x; a tail of fewer than eight uses `expf` as
    /// ggml's scalar tail does.
    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        let g = UnsafeMutableRawPointer(gate), u = UnsafeRawPointer(up)
        var i = 0
        while i + 8 <= count {
            let x = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let y = VectorExp.silu(x) * u.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            g.storeBytes(of: y, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            gate[i] = gate[i] / (1 + expf(-gate[i])) * up[i]
            i += 1
        }
    }

    /// GeGLU with the tanh approximation of GELU (Gemma): `gate[i] = gelu(gate[i]) * up[i]`
    /// in place. As in ggml, GELU is read from a table over all half floats: x is rounded
    /// to half precision and the table holds GELU of that value rounded to half; 0 below
    /// −10 and x itself above 10.
    ///
    /// Eight values at a time: one vector rounding to half (`vcvtps2ph`), eight table
    /// loads, one widening, the two cut-offs as selects; `geluTableReference` is the
    /// element-by-element definition it must equal.
    public static func gegluTanh(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        GELUTable.shared.values.withUnsafeBufferPointer { buffer in
            let table = buffer.baseAddress!
            let g = UnsafeMutableRawPointer(gate), u = UnsafeRawPointer(up)
            var i = 0
            while i + 8 <= count {
                let x = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                let index = unsafeBitCast(SIMD8<Float16>(x), to: SIMD8<UInt16>.self)
                let halves = SIMD8<Float16>(table[Int(index[0])], table[Int(index[1])], table[Int(index[2])], table[Int(index[3])],
                                            table[Int(index[4])], table[Int(index[5])], table[Int(index[6])], table[Int(index[7])])
                let gelu = SIMD8<Float>(halves).replacing(with: 0, where: x .<= -10).replacing(with: x, where: x .>= 10)
                g.storeBytes(of: gelu * u.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                             toByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                gate[i] = geluTableReference(gate[i], table) * up[i]
                i += 1
            }
        }
    }

    /// ggml's table GELU of one value: 0 at or below −10, x at or above 10, else the table
    /// entry of x rounded to half.
    @inline(__always)
    static func geluTableReference(_ x: Float, _ table: UnsafePointer<Float16>) -> Float {
        if x <= -10 { return 0 }
        if x >= 10 { return x }
        return Float(table[Int(Float16(x).bitPattern)])
    }

    /// `gegluTanh` one element at a time (the yardstick for its test).
    public static func gegluTanhReference(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        GELUTable.shared.values.withUnsafeBufferPointer { buffer in
            for i in 0..<count { gate[i] = geluTableReference(gate[i], buffer.baseAddress!) * up[i] }
        }
    }

    /// GELU (tanh approximation) in single precision: the function the table samples,
    /// with `1 + 0.044715·x·x` fused as GCC contracts it in ggml's `ggml_gelu_f32`.
    @inline(__always)
    public static func geluTanh(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.797_884_560_802_865_4
        let inner = Float(1).addingProduct(0.044715 * x, x)
        return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * inner))
    }
}

/// GELU of every half-precision value, rounded to half precision (128 KB, built once).
final class GELUTable: Sendable {
    static let shared = GELUTable()
    let values: [Float16]

    private init() {
        values = (0...UInt16.max).map { bits in
            Float16(Activations.geluTanh(Float(Float16(bitPattern: bits))))
        }
    }
}
