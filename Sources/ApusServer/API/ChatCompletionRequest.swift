/// The body of `POST /v1/chat/completions`.
public struct ChatCompletionRequest: Sendable, Decodable {
    /// The conversation so far.
    public var messages: [ChatMessage]
    /// Fields shared with legacy completions.
    public var sampling: SamplingFields
    /// OpenAI's newer name for `max_tokens` (wins when both are given).
    public var maxCompletionTokens: Int?
    /// Return log-probabilities of the output tokens.
    public var logprobs: Bool?
    /// Alternatives per token, 0...20 (needs `logprobs: true`).
    public var topLogprobs: Int?
    /// `text`, `json_object` or `json_schema` (read in document order by `OutputConstraint`).
    var responseFormat: JSONValue?
    /// Tool definitions (read in document order by `ToolRequest`).
    var tools: JSONValue?
    /// `none`, `auto`, `required` or a named function (see `ToolRequest`).
    var toolChoice: JSONValue?

    private enum CodingKeys: String, CodingKey {
        case messages, logprobs
        case maxCompletionTokens = "max_completion_tokens", topLogprobs = "top_logprobs"
        case responseFormat = "response_format", tools, toolChoice = "tool_choice"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        maxCompletionTokens = try container.decodeInteger(forKey: .maxCompletionTokens)
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try container.decodeInteger(forKey: .topLogprobs)
        responseFormat = try container.decodeIfPresent(JSONValue.self, forKey: .responseFormat)
        tools = try container.decodeIfPresent(JSONValue.self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(JSONValue.self, forKey: .toolChoice)
        sampling = try SamplingFields(from: decoder)
    }
}

/// One message of a chat.
public struct ChatMessage: Sendable, Decodable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text; null is allowed for an assistant message (it then renders as empty).
    public var content: MessageContent?
    /// Optional participant name (ignored by templates that do not use it).
    public var name: String?
}

/// The body of `POST /v1/completions`.
public struct CompletionRequest: Sendable, Decodable {
    /// The prompt(s).
    public var prompt: PromptInput
    /// Fields shared with chat completions.
    public var sampling: SamplingFields
    /// Log-probabilities of the output tokens with this many alternatives, 0...20.
    public var logprobs: Int?
    /// Prefix each choice's text with its prompt.
    public var echo: Bool?
    /// Text after the completion: not supported (400 when non-empty).
    public var suffix: String?
    /// Must equal `n` when given (server-side best-of is not supported).
    public var bestOf: Int?

    private enum CodingKeys: String, CodingKey {
        case prompt, logprobs, echo, suffix, bestOf = "best_of"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(PromptInput.self, forKey: .prompt)
        logprobs = try container.decodeInteger(forKey: .logprobs)
        echo = try container.decodeIfPresent(Bool.self, forKey: .echo)
        suffix = try container.decodeIfPresent(String.self, forKey: .suffix)
        bestOf = try container.decodeInteger(forKey: .bestOf)
        sampling = try SamplingFields(from: decoder)
    }
}
