/// One choice of a text completion, whole or streamed (`index` = prompt index × n + choice).
public struct CompletionChoice: ResponseChoice {
    public static let object = "text_completion"
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
