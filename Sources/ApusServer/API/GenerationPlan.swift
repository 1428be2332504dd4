import ApusEngine
import ApusSampling

/// A validated request, ready to become one `GenerationRequest` per prompt: everything but
/// the prompt tokens. Each check names the offending parameter in its 400.
public struct GenerationPlan: Sendable {
    /// Sampling parameters (OpenAI's defaults: temperature 1, top-p 1, no top-k or min-p).
    public var sampling = SamplingParameters()
    /// Stop conditions; `maxTokens` is the requested limit, clamped per prompt by `stopConditions(promptLength:)`.
    public var stop = StopConditions()
    /// Choices per prompt.
    public var n = 1
    /// Alternatives per token when logprobs were asked for.
    public var logprobs: Int?
    /// Engine priority (larger first; the API's vLLM sign is flipped).
    public var priority = 0
    /// Stream server-sent events.
    public var stream = false
    /// Send the usage chunk at the end of a stream.
    public var includeUsage = false
    /// Add `apus_timings` to the response.
    public var reportTimings = false

    /// Checks `fields` against the model's vocabulary and the server's limits.
    /// `maxTokens` overrides `fields.maxTokens` (chat's `max_completion_tokens`).
    init(_ fields: SamplingFields, maxTokens: Int?, maxTokensParam: String,
         vocabularySize: Int, configuration: ServerConfiguration) throws(APIError) {
        var p = SamplingParameters()
        p.temperature = 1
        p.topP = 1
        p.topK = 0
        p.minP = 0
        p.penaltyWindow = 64
        if let t = fields.temperature {
            guard t.isFinite, t >= 0, t <= 2 else { throw .invalid("temperature must be between 0 and 2, got \(t)", param: "temperature") }
            p.temperature = Float(t)
        }
        if let v = fields.topP {
            guard v.isFinite, v > 0, v <= 1 else { throw .invalid("top_p must be in (0, 1], got \(v)", param: "top_p") }
            p.topP = Float(v)
        }
        if let v = fields.topK {
            guard v >= -1 else { throw .invalid("top_k must be -1 or 0 (off) or a positive number of tokens, got \(v)", param: "top_k") }
            p.topK = max(0, v)
        }
        if let v = fields.minP {
            guard v.isFinite, v >= 0, v <= 1 else { throw .invalid("min_p must be in [0, 1], got \(v)", param: "min_p") }
            p.minP = Float(v)
        }
        if let v = fields.repetitionPenalty {
            guard v.isFinite, v > 0, v <= 10 else { throw .invalid("repetition_penalty must be in (0, 10], got \(v)", param: "repetition_penalty") }
            p.repetitionPenalty = Float(v)
        }
        if let v = fields.presencePenalty {
            guard v.isFinite, abs(v) <= 2 else { throw .invalid("presence_penalty must be between -2 and 2, got \(v)", param: "presence_penalty") }
            p.presencePenalty = Float(v)
        }
        if let v = fields.frequencyPenalty {
            guard v.isFinite, abs(v) <= 2 else { throw .invalid("frequency_penalty must be between -2 and 2, got \(v)", param: "frequency_penalty") }
            p.frequencyPenalty = Float(v)
        }
        p.seed = fields.seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: 0...UInt64(UInt32.max))
        sampling = p

        if let v = fields.n {
            guard v >= 1, v <= configuration.maxChoices else {
                throw .invalid("n must be between 1 and \(configuration.maxChoices), got \(v)", param: "n")
            }
            n = v
        }
        if let v = maxTokens {
            guard v >= 1 else { throw .invalid("\(maxTokensParam) must be at least 1, got \(v)", param: maxTokensParam) }
            stop.maxTokens = v
        }
        if let v = fields.minTokens {
            guard v >= 0 else { throw .invalid("min_tokens must be at least 0, got \(v)", param: "min_tokens") }
            if let limit = stop.maxTokens, v > limit {
                throw .invalid("min_tokens (\(v)) must not exceed \(maxTokensParam) (\(limit))", param: "min_tokens")
            }
            stop.minTokens = v
        }
        let stops = fields.stop?.strings ?? []
        guard stops.count <= configuration.maxStopStrings else {
            throw .invalid("stop has \(stops.count) strings; at most \(configuration.maxStopStrings) are accepted", param: "stop")
        }
        for (i, s) in stops.enumerated() where s.isEmpty || s.utf8.count > 256 {
            throw .invalid("stop[\(i)] must be a non-empty string of at most 256 bytes", param: "stop")
        }
        stop.stopStrings = stops
        for (i, id) in (fields.stopTokenIDs ?? []).enumerated() where id < 0 || id >= vocabularySize {
            throw .invalid("stop_token_ids[\(i)] = \(id) is outside the vocabulary (0..<\(vocabularySize))", param: "stop_token_ids")
        }
        stop.stopTokenIDs = Set(fields.stopTokenIDs ?? [])
        stop.ignoreEndOfGeneration = fields.ignoreEOS ?? false
        for (key, bias) in (fields.logitBias ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let id = Int(key), id >= 0, id < vocabularySize else {
                throw .invalid("logit_bias key '\(key)' is not a token id in 0..<\(vocabularySize)", param: "logit_bias")
            }
            guard bias.isFinite, abs(bias) <= 100 else {
                throw .invalid("logit_bias[\(key)] must be between -100 and 100, got \(bias)", param: "logit_bias")
            }
            if bias != 0 { sampling.logitBias[id] = Float(bias) }
        }
        if let v = fields.priority {
            guard v > Int(Int32.min), v < Int(Int32.max) else { throw .invalid("priority must fit in 32 bits, got \(v)", param: "priority") }
            priority = -v
        }
        stream = fields.stream ?? false
        if let options = fields.streamOptions {
            guard stream else { throw .invalid("stream_options is only allowed when stream is true", param: "stream_options") }
            includeUsage = (options.includeUsage ?? false) || (options.apusTimings ?? false)
            reportTimings = options.apusTimings ?? false
        }
        reportTimings = reportTimings || (fields.apusTimings ?? false) || configuration.reportTimings
    }

    /// The stop conditions for a prompt of `promptLength` tokens: `max_tokens` clamped to what
    /// fits in the context (the choice then ends with `length`).
    func stopConditions(promptLength: Int, contextLength: Int) -> StopConditions {
        var s = stop
        let room = max(1, contextLength - promptLength)
        s.maxTokens = min(s.maxTokens ?? room, room)
        s.minTokens = min(s.minTokens, s.maxTokens ?? 0)
        return s
    }
}
