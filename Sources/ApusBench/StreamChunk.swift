import Foundation

/// One `data:` event of an OpenAI streaming response, completions or chat: only the fields a
/// benchmark reads. Unknown fields are ignored so any OpenAI-compatible server decodes.
struct StreamChunk: Decodable {
    struct Choice: Decodable {
        let text: String?
        let delta: Delta?
        let finishReason: String?

        enum CodingKeys: String, CodingKey {
            case text, delta
            case finishReason = "finish_reason"
        }
    }

    struct Delta: Decodable {
        let content: String?
        /// Reasoning models stream their thinking here; it is generated text too.
        let reasoningContent: String?

        enum CodingKeys: String, CodingKey {
            case content
            case reasoningContent = "reasoning_content"
        }
    }

    struct Usage: Decodable {
        let promptTokens: Int?
        let completionTokens: Int?

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    /// An error object (`{"message": …}`) or a bare string, whichever the server sends.
    struct ErrorPayload: Decodable {
        let message: String

        init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                message = text
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = (try? container.decode(String.self, forKey: .message)) ?? "unknown error"
        }

        enum CodingKeys: String, CodingKey { case message }
    }

    let choices: [Choice]?
    let usage: Usage?
    let error: ErrorPayload?

    /// The generated text this chunk carries (completions `text`, chat `delta.content` or
    /// `delta.reasoning_content`), empty when it carries none.
    var content: String {
        guard let choice = choices?.first else { return "" }
        return choice.text ?? choice.delta?.content ?? choice.delta?.reasoningContent ?? ""
    }
}
