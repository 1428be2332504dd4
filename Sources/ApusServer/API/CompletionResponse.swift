/// `POST /v1/completions`, streamed or not: `object: "text_completion"` (the chunks have the same shape).
public struct CompletionResponse: Sendable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    public var systemFingerprint: String
    public var choices: [Choice]
    /// Present on a full response and on a stream's usage chunk; `null` on other chunks when
    /// the stream includes usage.
    public var usage: Usage?
    public var includeUsageField: Bool
    public var apusTimings: TimingsReport?

    /// One choice (`index` = prompt index × n + choice).
    public struct Choice: Sendable, Encodable {
        public var text: String
        public var index: Int
        public var logprobs: CompletionLogprobs?
        public var finishReason: String?

        private enum CodingKeys: String, CodingKey { case text, index, logprobs, finishReason = "finish_reason" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(index, forKey: .index)
            try container.encodeNullable(logprobs, forKey: .logprobs)
            try container.encodeNullable(finishReason, forKey: .finishReason)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, apusTimings = "apus_timings"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("text_completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        if includeUsageField { try container.encodeNullable(usage, forKey: .usage) }
        try container.encodeIfPresent(apusTimings, forKey: .apusTimings)
    }
}
