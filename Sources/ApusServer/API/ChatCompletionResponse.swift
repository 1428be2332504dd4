/// `POST /v1/chat/completions` without streaming: `object: "chat.completion"`.
public struct ChatCompletionResponse: Sendable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    public var systemFingerprint: String
    public var choices: [Choice]
    public var usage: Usage
    /// Apus extension, present when asked for.
    public var apusTimings: TimingsReport?

    /// One choice: the assistant's message.
    public struct Choice: Sendable, Encodable {
        public var index: Int
        public var content: String
        public var logprobs: ChatLogprobs?
        public var finishReason: String
        /// Calls parsed out of the output; the content is then null when nothing else was said.
        public var toolCalls: [ToolCallObject]? = nil

        private enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }
        private enum MessageKeys: String, CodingKey { case role, content, refusal, toolCalls = "tool_calls" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            var message = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .message)
            try message.encode("assistant", forKey: .role)
            try message.encodeNullable(toolCalls != nil && content.isEmpty ? nil : content, forKey: .content)
            try message.encodeNil(forKey: .refusal)
            try message.encodeIfPresent(toolCalls, forKey: .toolCalls)
            try container.encodeNullable(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, apusTimings = "apus_timings"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("chat.completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        try container.encode(usage, forKey: .usage)
        try container.encodeIfPresent(apusTimings, forKey: .apusTimings)
    }
}

/// One server-sent event of a streamed chat completion: `object: "chat.completion.chunk"`.
public struct ChatCompletionChunk: Sendable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    public var systemFingerprint: String
    public var choices: [Choice]
    /// Written as `null` on every chunk when the stream includes usage, and filled on the last.
    public var usage: Usage?
    public var includeUsageField: Bool
    public var apusTimings: TimingsReport?

    /// A choice's increment: the role on its first chunk, then text, then the finish reason.
    public struct Choice: Sendable, Encodable {
        public var index: Int
        public var role: String?
        public var content: String?
        public var logprobs: ChatLogprobs?
        public var finishReason: String?
        /// Tool-call fragments (`index`, and `id`/`type`/`function.name` on a call's first fragment).
        public var toolCalls: [ToolCallDelta]? = nil

        private enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }
        private enum DeltaKeys: String, CodingKey { case role, content, toolCalls = "tool_calls" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            var delta = container.nestedContainer(keyedBy: DeltaKeys.self, forKey: .delta)
            try delta.encodeIfPresent(role, forKey: .role)
            try delta.encodeIfPresent(content, forKey: .content)
            try delta.encodeIfPresent(toolCalls, forKey: .toolCalls)
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
        try container.encode("chat.completion.chunk", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        if includeUsageField { try container.encodeNullable(usage, forKey: .usage) }
        try container.encodeIfPresent(apusTimings, forKey: .apusTimings)
    }
}

extension KeyedEncodingContainer {
    /// Encodes `value`, or an explicit `null` (OpenAI's shapes carry `"logprobs": null`).
    mutating func encodeNullable<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
