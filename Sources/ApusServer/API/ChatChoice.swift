/// One choice of a chat completion: the assistant's message.
public struct ChatChoice: ResponseChoice {
    public static let object = "chat.completion"
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

/// A streamed chat choice's increment: the role on its first chunk, then text, then the finish reason.
public struct ChatChunkChoice: ResponseChoice {
    public static let object = "chat.completion.chunk"
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
