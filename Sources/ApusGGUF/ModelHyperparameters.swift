/// The architecture-independent hyperparameters a transformer needs, read from the
/// `<architecture>.*` keys of a GGUF file's metadata.
public struct ModelHyperparameters: Sendable, Equatable {
    /// `general.architecture`, e.g. `llama`, `qwen2`, `gemma3`.
    public let architecture: String
    /// `general.name`, if the file has one.
    public let name: String?
    /// Context length the model was trained for.
    public let contextLength: Int
    /// Width of the residual stream (d_model).
    public let embeddingLength: Int
    /// Number of transformer blocks.
    public let blockCount: Int
    /// Hidden width of the feed-forward network.
    public let feedForwardLength: Int
    /// Number of query heads.
    public let headCount: Int
    /// Number of key/value heads (grouped-query attention when below `headCount`).
    public let headCountKV: Int
    /// Width of one key head.
    public let keyLength: Int
    /// Width of one value head.
    public let valueLength: Int
    /// RoPE base frequency.
    public let ropeFrequencyBase: Float
    /// Number of dimensions per head that RoPE rotates.
    public let ropeDimensionCount: Int
    /// Epsilon of RMSNorm.
    public let rmsNormEpsilon: Float
    /// Sliding-window size of local attention layers, if the architecture uses one.
    public let slidingWindow: Int?
    /// Number of tokens in the vocabulary.
    public let vocabularySize: Int

    /// Reads the hyperparameters; throws naming the first required key that is missing.
    public init(metadata: GGUFMetadata) throws {
        let arch = try metadata.requireString("general.architecture")
        func key(_ suffix: String) -> String { "\(arch).\(suffix)" }
        architecture = arch
        name = metadata.string("general.name")
        embeddingLength = try metadata.requireInt(key("embedding_length"))
        blockCount = try metadata.requireInt(key("block_count"))
        headCount = try metadata.requireInt(key("attention.head_count"))
        guard headCount > 0, embeddingLength > 0, blockCount > 0 else {
            throw GGUFMetadataError.missingKey(key("attention.head_count") + " (must be positive)")
        }
        contextLength = metadata.int(key("context_length")) ?? 2048
        feedForwardLength = try metadata.requireInt(key("feed_forward_length"))
        headCountKV = metadata.int(key("attention.head_count_kv")) ?? headCount
        keyLength = metadata.int(key("attention.key_length")) ?? embeddingLength / headCount
        valueLength = metadata.int(key("attention.value_length")) ?? embeddingLength / headCount
        ropeFrequencyBase = metadata.float(key("rope.freq_base")) ?? 10_000
        ropeDimensionCount = metadata.int(key("rope.dimension_count")) ?? keyLength
        rmsNormEpsilon = metadata.float(key("attention.layer_norm_rms_epsilon")) ?? 1e-5
        slidingWindow = metadata.int(key("attention.sliding_window"))
        vocabularySize = metadata.int(key("vocab_size")) ?? metadata.array("tokenizer.ggml.tokens")?.count ?? 0
    }
}

/// Names of `general.file_type` values (llama.cpp's `llama_ftype`).
public enum GGUFFileType {
    /// The display name for a `general.file_type` value, e.g. 15 → `Q4_K_M`.
    public static func name(_ value: Int) -> String {
        let names: [Int: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
            10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
            16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
            22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
            28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
        ]
        return names[value] ?? "unknown (\(value))"
    }
}
