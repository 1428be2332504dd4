extension ArchitectureTraits {
    /// Qwen2 (Qwen2.5-Coder): as llama, plus biases on Q/K/V and NeoX-style RoPE.
    public static let qwen2 = ArchitectureTraits(
        name: "qwen2", ropeStyle: .neox, hasQKVBias: true, hasQKNorm: false, hasPostNorms: false,
        scalesEmbedding: false, scalesQuery: false, feedForward: .swiGLU, globalLayerPeriod: nil, localRopeBase: nil)
}
