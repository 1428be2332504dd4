/// What happened to one request, in vLLM's terms: times are seconds, measured on one
/// monotonic clock from the moment the request was sent.
public struct RequestOutcome: Sendable, Equatable {
    /// True when at least one content chunk arrived and the stream ended without an error.
    public var success: Bool
    /// Why the request failed (HTTP status and body, a transport error, an error event).
    public var error: String?
    /// Prompt tokens: the server's `usage.prompt_tokens`, else the dataset's count.
    public var promptTokens: Int
    /// Generated tokens: the server's `usage.completion_tokens`, else the content chunks received.
    public var outputTokens: Int
    /// Time to the first chunk that carries generated text.
    public var timeToFirstToken: Double
    /// Gaps between consecutive content chunks (one fewer than the chunks).
    public var interTokenLatencies: [Double]
    /// Time to the last chunk that carries a choice (the text or the finish reason).
    public var latency: Double
    /// When the request was sent, in seconds after the benchmark started.
    public var startTime: Double
    /// The text generated.
    public var generatedText: String

    /// An outcome; the defaults describe a request that has produced nothing yet.
    public init(success: Bool = false, error: String? = nil, promptTokens: Int = 0, outputTokens: Int = 0,
                timeToFirstToken: Double = 0, interTokenLatencies: [Double] = [], latency: Double = 0,
                startTime: Double = 0, generatedText: String = "") {
        self.success = success
        self.error = error
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.timeToFirstToken = timeToFirstToken
        self.interTokenLatencies = interTokenLatencies
        self.latency = latency
        self.startTime = startTime
        self.generatedText = generatedText
    }

    /// Time per output token after the first: (latency − TTFT) / (tokens − 1), or nil for one
    /// token or fewer (vLLM leaves those out of the TPOT statistics and counts them as 0 for goodput).
    public var timePerOutputToken: Double? {
        guard success, outputTokens > 1 else { return nil }
        return (latency - timeToFirstToken) / Double(outputTokens - 1)
    }

    /// Arrival times of the content chunks, in seconds after the benchmark started.
    public var contentChunkTimes: [Double] {
        guard success else { return [] }
        var time = startTime + timeToFirstToken
        var times = [time]
        for gap in interTokenLatencies {
            time += gap
            times.append(time)
        }
        return times
    }
}
