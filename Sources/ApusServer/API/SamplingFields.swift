/// The request fields chat and legacy completions share: sampling, stopping, streaming and the
/// llama-server / vLLM extensions. Decoded from the same JSON object as the endpoint's own
/// fields; unknown fields are ignored, as OpenAI's API does.
public struct SamplingFields: Sendable, Decodable {
    /// The model name the client asked for (any name is served by the one loaded model).
    public var model: String?
    /// Tokens to generate at most.
    public var maxTokens: Int?
    /// Sampling temperature, 0...2; 0 is greedy.
    public var temperature: Double?
    /// Nucleus sampling, (0, 1].
    public var topP: Double?
    /// Choices per prompt.
    public var n: Int?
    /// Stop strings.
    public var stop: StopInput?
    /// Seed of the draw (any 64-bit integer).
    public var seed: Int64?
    /// OpenAI's presence penalty, -2...2.
    public var presencePenalty: Double?
    /// OpenAI's frequency penalty, -2...2.
    public var frequencyPenalty: Double?
    /// Token id (as a string) → bias, -100...100.
    public var logitBias: [String: Double]?
    /// Send server-sent events instead of one response.
    public var stream: Bool?
    /// Streaming options: `include_usage` and Apus's `apus_timings`.
    public var streamOptions: StreamOptions?
    /// The end user's id (logged, otherwise ignored).
    public var user: String?
    /// Extension (vLLM, llama-server): keep the k most likely tokens; 0 or -1 = off.
    public var topK: Int?
    /// Extension: drop tokens below `min_p` × the top probability.
    public var minP: Double?
    /// Extension: divide logits of recent tokens by this, > 0.
    public var repetitionPenalty: Double?
    /// Extension: end-of-generation and stop strings are ignored before this many tokens.
    public var minTokens: Int?
    /// Extension: keep going past end-of-generation tokens.
    public var ignoreEOS: Bool?
    /// Extension (vLLM's sign): a lower value is scheduled earlier.
    public var priority: Int?
    /// Extension: extra stop token ids (vLLM).
    public var stopTokenIDs: [Int]?
    /// Apus extension: add `apus_timings` to the response.
    public var apusTimings: Bool?

    private enum CodingKeys: String, CodingKey {
        case model, temperature, n, stop, seed, stream, user, priority
        case maxTokens = "max_tokens", topP = "top_p", presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty", logitBias = "logit_bias", streamOptions = "stream_options"
        case topK = "top_k", minP = "min_p", repetitionPenalty = "repetition_penalty", minTokens = "min_tokens"
        case ignoreEOS = "ignore_eos", stopTokenIDs = "stop_token_ids", apusTimings = "apus_timings"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        maxTokens = try c.decodeInteger(forKey: .maxTokens)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        n = try c.decodeInteger(forKey: .n)
        stop = try c.decodeIfPresent(StopInput.self, forKey: .stop)
        seed = try c.decodeIfPresent(IntegerValue.self, forKey: .seed).map { Int64($0.value) }
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        logitBias = try c.decodeIfPresent([String: Double].self, forKey: .logitBias)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        topK = try c.decodeInteger(forKey: .topK)
        minP = try c.decodeIfPresent(Double.self, forKey: .minP)
        repetitionPenalty = try c.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        minTokens = try c.decodeInteger(forKey: .minTokens)
        ignoreEOS = try c.decodeIfPresent(Bool.self, forKey: .ignoreEOS)
        priority = try c.decodeInteger(forKey: .priority)
        stopTokenIDs = try c.decodeIntegers(forKey: .stopTokenIDs)
        apusTimings = try c.decodeIfPresent(Bool.self, forKey: .apusTimings)
    }
}

/// `stream_options`.
public struct StreamOptions: Sendable, Decodable {
    /// Send a last chunk with `choices: []` and the request's `usage`.
    public var includeUsage: Bool?
    /// Apus extension: put `apus_timings` in the usage chunk (implies a usage chunk).
    public var apusTimings: Bool?

    private enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage", apusTimings = "apus_timings"
    }
}
