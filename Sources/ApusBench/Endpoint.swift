import Foundation

/// Which OpenAI API a benchmark calls, and the streaming request body for it.
public enum Endpoint: String, Sendable, CaseIterable {
    /// `POST /v1/completions` with a `prompt`.
    case completions
    /// `POST /v1/chat/completions` with one user message.
    case chat

    /// The path under the base URL.
    public var path: String {
        switch self {
        case .completions: return "/v1/completions"
        case .chat: return "/v1/chat/completions"
        }
    }

    /// The JSON body: streamed, usage included, greedy, and `ignore_eos` + `min_tokens` so
    /// the server generates exactly `outputTokens` where it supports them (as vLLM's client asks).
    public func body(for request: BenchmarkRequest, model: String) -> Data {
        var body: [String: Any] = [
            "model": model,
            "stream": true,
            "stream_options": ["include_usage": true],
            "temperature": 0.0,
            "max_tokens": request.outputTokens,
            "min_tokens": request.outputTokens,
            "ignore_eos": true,
        ]
        switch self {
        case .completions:
            body["prompt"] = request.prompt
        case .chat:
            body["messages"] = [["role": "user", "content": request.prompt]]
            // Newer servers read this name; older ones read max_tokens. Both are sent.
            body["max_completion_tokens"] = request.outputTokens
        }
        // Serialising dictionaries of strings, numbers and booleans cannot fail.
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    }
}
