extension ArchitectureTraits {
    /// Gemma 3: embeddings scaled by √d, QK-norm, post-attention and post-FFN norms,
    /// GELU-tanh gated FFN, sliding-window attention on local layers with every 6th layer
    /// global; local layers use RoPE base 10 000, global ones the file's base.
    /// (GGUF conversion already stores RMSNorm weights as 1 + w.)
    public static let gemma3 = ArchitectureTraits(
        name: "gemma3", ropeStyle: .neox, hasQKVBias: false, hasQKNorm: true, hasPostNorms: true,
        scalesEmbedding: true, scalesQuery: true, feedForward: .gegluTanh, globalLayerPeriod: 6, localRopeBase: 10_000)
}
