/// `stop`: one string or a list of strings.
public enum StopInput: Sendable, Equatable, Decodable {
    case one(String)
    case many([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .one(value)
        } else if let values = try? container.decode([String].self) {
            self = .many(values)
        } else if container.decodeNil() {
            self = .many([])
        } else {
            throw DecodingError.typeMismatch([String].self, .init(codingPath: decoder.codingPath,
                                                                  debugDescription: "expected a string or an array of strings"))
        }
    }

    /// The strings, in order.
    public var strings: [String] {
        switch self {
        case let .one(value): return [value]
        case let .many(values): return values
        }
    }
}

/// `prompt` of `/v1/completions`: a string, a list of strings, token ids, or a list of token-id lists.
public enum PromptInput: Sendable, Equatable, Decodable {
    case text(String)
    case texts([String])
    case tokens([Int])
    case tokenLists([[Int]])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if let value = try? container.decode([Int].self) {
            // An empty list decodes here: it is an empty token prompt, rejected later with a clear message.
            self = .tokens(value)
        } else if let value = try? container.decode([String].self) {
            self = .texts(value)
        } else if let value = try? container.decode([[Int]].self) {
            self = .tokenLists(value)
        } else {
            throw DecodingError.typeMismatch(String.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a string, an array of strings, an array of token ids (integers) or an array of such arrays"))
        }
    }
}

/// A chat message's `content`: a string or an array of content parts (text only).
public enum MessageContent: Sendable, Equatable, Decodable {
    case text(String)
    case parts([ContentPart])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }

    /// The text: parts are concatenated (OpenAI joins text parts without separator).
    public var text: String {
        switch self {
        case let .text(value): return value
        case let .parts(parts): return parts.map { $0.text ?? "" }.joined()
        }
    }
}

/// One element of a content array: `{"type": "text", "text": "..."}`; other types are refused.
public struct ContentPart: Sendable, Equatable, Decodable {
    /// `text`, `image_url`, `input_audio`, ...
    public var type: String
    /// The text of a `text` part.
    public var text: String?

    private enum CodingKeys: String, CodingKey { case type, text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        guard type == "text" else {
            throw APIError.invalid("content parts of type '\(type)' are not supported: this server takes text only",
                                   param: JSONBody.path(decoder.codingPath + [CodingKeys.type]), code: "unsupported_value")
        }
        text = try container.decode(String.self, forKey: .text)
    }
}
