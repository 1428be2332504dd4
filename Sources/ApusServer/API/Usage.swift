import ApusEngine

/// `usage` of a response: token counts, with the prompt tokens served from the prefix cache.
public struct Usage: Sendable, Equatable, Encodable {
    /// Prompt tokens (all prompts of the request).
    public var promptTokens: Int
    /// Generated tokens (all choices).
    public var completionTokens: Int
    /// Their sum.
    public var totalTokens: Int { promptTokens + completionTokens }
    /// Prompt tokens whose keys and values came from the prefix cache.
    public var cachedTokens: Int

    /// Usage summed over the engine requests of one API request.
    public init(_ usages: [RequestUsage]) {
        promptTokens = usages.reduce(0) { $0 + $1.promptTokens }
        completionTokens = usages.reduce(0) { $0 + $1.completionTokens }
        cachedTokens = usages.reduce(0) { $0 + $1.cachedTokens }
    }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    private enum DetailKeys: String, CodingKey { case cachedTokens = "cached_tokens" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        var details = container.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails)
        try details.encode(cachedTokens, forKey: .cachedTokens)
    }
}

/// `apus_timings`: where a request's time went, in seconds (Apus extension).
public struct TimingsReport: Sendable, Equatable, Encodable {
    /// Waiting before the first step that computed it.
    public var queueTime: Double
    /// Arrival to first generated token.
    public var timeToFirstToken: Double
    /// First token to last token.
    public var decodeTime: Double
    /// Arrival to end.
    public var totalTime: Double
    /// Choice 0's generated tokens per second after its first (0 when it has fewer than two).
    public var decodeTokensPerSecond: Double
    /// The idealized runtime on this machine and the fraction of it achieved (when the
    /// server knows the machine's bandwidth and peak; see `RooflineModel`).
    public var roofline: RooflineEstimate?

    /// The report of one engine request (the longest, for several prompts).
    public init(_ usages: [RequestUsage], roofline: RooflineEstimate? = nil) {
        self.roofline = roofline
        let slowest = usages.max { $0.timings.total < $1.timings.total } ?? RequestUsage()
        let t = slowest.timings
        queueTime = t.queue
        timeToFirstToken = t.timeToFirstToken
        totalTime = t.total
        decodeTime = max(0, t.total - t.timeToFirstToken)
        let gaps = t.interTokenGaps.reduce(0, +)
        decodeTokensPerSecond = gaps > 0 ? Double(t.interTokenGaps.count) / gaps : 0
    }

    private enum CodingKeys: String, CodingKey {
        case queueTime = "queue_time", timeToFirstToken = "time_to_first_token", decodeTime = "decode_time"
        case totalTime = "total_time", decodeTokensPerSecond = "decode_tokens_per_second"
        case idealizedTime = "idealized_time", memoryTime = "roofline_memory_time", computeTime = "roofline_compute_time"
        case rooflineFraction = "roofline_fraction"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queueTime, forKey: .queueTime)
        try container.encode(timeToFirstToken, forKey: .timeToFirstToken)
        try container.encode(decodeTime, forKey: .decodeTime)
        try container.encode(totalTime, forKey: .totalTime)
        try container.encode(decodeTokensPerSecond, forKey: .decodeTokensPerSecond)
        if let roofline {
            try container.encode(roofline.idealizedTime, forKey: .idealizedTime)
            try container.encode(roofline.memoryTime, forKey: .memoryTime)
            try container.encode(roofline.computeTime, forKey: .computeTime)
            try container.encode(roofline.fraction, forKey: .rooflineFraction)
        }
    }
}
