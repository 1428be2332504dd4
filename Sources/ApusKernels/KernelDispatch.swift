import ApusCore

/// Maps a runtime `GGMLType` to the format-specialised kernels.
///
/// Each case calls a generic function with a concrete format, so the compiler emits one
/// specialised loop per type and the hot loop has no dynamic dispatch.
public enum KernelDispatch {
    /// Whether matrix products with weights of `type` are available.
    public static func supports(_ type: GGMLType) -> Bool {
        switch type {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1,
             .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K:
            return true
        default: return false
        }
    }

    /// Calls `body` with the format type of `type`, or returns nil when there is none.
    /// The format arrives as an existential, so this is for reference and set-up paths;
    /// hot loops go through `MatMul`'s switch, which specialises per concrete format.
    @inline(__always)
    static func withFormat<R>(_ type: GGMLType, _ body: (any QuantFormat.Type) -> R) -> R? {
        switch type {
        case .f32: return body(F32Format.self)
        case .f16: return body(F16Format.self)
        case .bf16: return body(BF16Format.self)
        case .q4_0: return body(Q4_0Format.self)
        case .q4_1: return body(Q4_1Format.self)
        case .q5_0: return body(Q5_0Format.self)
        case .q5_1: return body(Q5_1Format.self)
        case .q8_0: return body(Q8_0Format.self)
        case .q8_1: return body(Q8_1Format.self)
        case .q2_K: return body(Q2_KFormat.self)
        case .q3_K: return body(Q3_KFormat.self)
        case .q4_K: return body(Q4_KFormat.self)
        case .q5_K: return body(Q5_KFormat.self)
        case .q6_K: return body(Q6_KFormat.self)
        case .q8_K: return body(Q8_KFormat.self)
        default: return nil
        }
    }

    /// The row quantizer for an activation type: `(source floats, destination, count)`.
    /// F32 "activations" are copied unchanged.
    static func activationQuantizer(for activationType: GGMLType) -> (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void {
        switch activationType {
        case .q8_0: return Q8_0Format.quantize
        case .q8_1: return Q8_1Format.quantize
        case .q8_K: return Q8_KFormat.quantize
        default:
            return { source, destination, count in
                destination.copyMemory(from: source, byteCount: count * MemoryLayout<Float>.stride)
            }
        }
    }

    /// Dequantizes one row of `count` values of `type` with the scalar reference decoder;
    /// returns false for a type without kernels.
    @discardableResult
    public static func dequantizeRow(_ type: GGMLType, _ source: UnsafeRawPointer,
                                     _ destination: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        withFormat(type) { $0.dequantizeReference(source, destination, count: count) } != nil
    }
}
