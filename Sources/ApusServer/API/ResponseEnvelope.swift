/// A choice type of a completion response; its `object` names the response kind.
public protocol ResponseChoice: Sendable, Encodable {
    /// `object` of responses holding this kind of choice (`chat.completion`, …).
    static var object: String { get }
}

/// What every completion response and stream chunk shares — `id`, `object`, `created`,
/// `model`, `system_fingerprint`, `choices`, `usage`, and Apus's `apus_timings` — around
/// the endpoint's kind of choice.
public struct ResponseEnvelope<Choice: ResponseChoice>: Sendable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    public var systemFingerprint: String
    public var choices: [Choice]
    /// Filled on a full response and on a stream's usage chunk.
    public var usage: Usage?
    /// Whether `usage` is written when nil (as `null`, on every chunk of a stream that includes usage).
    public var includeUsageField: Bool
    /// Apus extension, present when asked for.
    public var apusTimings: TimingsReport?

    /// A response or chunk.
    public init(id: String, created: Int, model: String, systemFingerprint: String, choices: [Choice], usage: Usage?,
                includeUsageField: Bool, apusTimings: TimingsReport?) {
        self.id = id
        self.created = created
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.choices = choices
        self.usage = usage
        self.includeUsageField = includeUsageField
        self.apusTimings = apusTimings
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, apusTimings = "apus_timings"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(Choice.object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        if includeUsageField || usage != nil { try container.encodeNullable(usage, forKey: .usage) }
        try container.encodeIfPresent(apusTimings, forKey: .apusTimings)
    }
}

/// `POST /v1/chat/completions` without streaming: `object: "chat.completion"`.
public typealias ChatCompletionResponse = ResponseEnvelope<ChatChoice>
/// One server-sent event of a streamed chat completion: `object: "chat.completion.chunk"`.
public typealias ChatCompletionChunk = ResponseEnvelope<ChatChunkChoice>
/// `POST /v1/completions`, streamed or not: `object: "text_completion"` (chunks have the same shape).
public typealias CompletionResponse = ResponseEnvelope<CompletionChoice>

extension KeyedEncodingContainer {
    /// Encodes `value`, or an explicit `null` (OpenAI's shapes carry `"logprobs": null`).
    mutating func encodeNullable<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
