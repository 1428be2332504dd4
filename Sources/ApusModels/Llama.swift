extension ArchitectureTraits {
    /// Llama (SmolLM2): RMSNorm, RoPE on adjacent pairs (GGUF conversion permutes Q/K
    /// for it), grouped-query attention, SwiGLU, output weights tied or separate.
    public static let llama = ArchitectureTraits(
        name: "llama", ropeStyle: .normal, hasQKVBias: false, hasQKNorm: false, hasPostNorms: false,
        scalesEmbedding: false, scalesQuery: false, feedForward: .swiGLU, globalLayerPeriod: nil, localRopeBase: nil)
}
