import ApusEngine
import ApusTokenizer

/// Log-probabilities are finite in JSON: -inf (a token of probability zero) becomes -9999, as vLLM does.
func finiteLogprob(_ value: Float) -> Double { value.isFinite ? Double(value) : -9999 }

/// A token's text and UTF-8 bytes as OpenAI reports them (`bytes` holds the exact bytes when
/// the token is part of a multi-byte character).
struct TokenText {
    var text: String
    var bytes: [UInt8]

    init(_ id: Int, tokenizer: Tokenizer) {
        bytes = id >= 0 && id < tokenizer.vocabulary.count ? tokenizer.piece(Int32(id)) : []
        text = String(decoding: bytes, as: UTF8.self)
    }
}

/// Chat's `choices[].logprobs`: `{"content": [...], "refusal": null}`.
public struct ChatLogprobs: Sendable, Encodable {
    /// One entry per generated token.
    public var content: [ChatTokenLogprob]

    private enum CodingKeys: String, CodingKey { case content, refusal }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        try container.encodeNil(forKey: .refusal)
    }

    init(_ logprobs: [TokenLogprob], tokenizer: Tokenizer) {
        content = logprobs.map { entry in
            let text = TokenText(entry.token, tokenizer: tokenizer)
            return ChatTokenLogprob(token: text.text, logprob: finiteLogprob(entry.logprob), bytes: text.bytes,
                                    topLogprobs: entry.top.map { alternative in
                                        let t = TokenText(alternative.token, tokenizer: tokenizer)
                                        return TopLogprob(token: t.text, logprob: finiteLogprob(alternative.logprob), bytes: t.bytes)
                                    })
        }
    }
}

/// One token of chat logprobs.
public struct ChatTokenLogprob: Sendable, Encodable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]
    public var topLogprobs: [TopLogprob]

    private enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
}

/// One alternative of chat logprobs.
public struct TopLogprob: Sendable, Encodable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]
}

/// Legacy completions' `choices[].logprobs`: parallel arrays.
public struct CompletionLogprobs: Sendable, Encodable {
    public var tokens: [String] = []
    public var tokenLogprobs: [Double] = []
    /// Per token: alternative text → logprob (texts that collide keep the higher value).
    public var topLogprobs: [[String: Double]] = []
    /// Character offset of each token in the choice's text.
    public var textOffset: [Int] = []

    private enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }

    init() {}

    /// Appends `logprobs`, the first starting at character `offset` of the choice's text.
    mutating func append(_ logprobs: [TokenLogprob], offset: Int, tokenizer: Tokenizer) {
        var position = offset
        for entry in logprobs {
            let text = TokenText(entry.token, tokenizer: tokenizer).text
            tokens.append(text)
            tokenLogprobs.append(finiteLogprob(entry.logprob))
            var top: [String: Double] = [:]
            for alternative in entry.top {
                let key = TokenText(alternative.token, tokenizer: tokenizer).text
                top[key] = max(top[key] ?? -.infinity, finiteLogprob(alternative.logprob))
            }
            topLogprobs.append(top)
            textOffset.append(position)
            position += text.count
        }
    }
}
