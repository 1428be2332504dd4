import ApusGGUF
import ApusKernels

/// What distinguishes one transformer architecture from another in the shared forward
/// pass. Each supported architecture fills one of these in its own file.
public struct ArchitectureTraits: Sendable {
    /// Feed-forward activation.
    public enum FeedForward: Sendable { case swiGLU, gegluTanh }

    /// `general.architecture` value.
    public let name: String
    /// Pairing of rotated elements.
    public let ropeStyle: RoPE.Style
    /// Whether Q, K and V projections carry biases (`attn_q.bias`, …).
    public let hasQKVBias: Bool
    /// Whether Q and K are RMS-normalised per head before RoPE (`attn_q_norm`, `attn_k_norm`).
    public let hasQKNorm: Bool
    /// Whether attention and FFN outputs are normalised before the residual add
    /// (`post_attention_norm`, `post_ffw_norm`).
    public let hasPostNorms: Bool
    /// Whether embeddings are multiplied by √d_model.
    public let scalesEmbedding: Bool
    /// Whether the query is multiplied by 1/√d before attention (Gemma) rather than the
    /// scores after Q·K: the same value, but the query is rounded to half precision after
    /// the scaling, so the choice shows in the last bits.
    public let scalesQuery: Bool
    /// FFN activation.
    public let feedForward: FeedForward
    /// For sliding-window models: every `globalLayerPeriod`-th layer (1-based) attends
    /// globally, the others within the window; nil when every layer is global.
    public let globalLayerPeriod: Int?
    /// RoPE base of the local (sliding-window) layers, if it differs from the global one.
    public let localRopeBase: Float?

    /// The traits for `architecture`, or an error naming it.
    public static func forArchitecture(_ architecture: String) throws(ModelError) -> ArchitectureTraits {
        switch architecture {
        case "llama": return .llama
        case "qwen2": return .qwen2
        case "gemma3": return .gemma3
        default: throw .unsupportedArchitecture(architecture)
        }
    }
}
