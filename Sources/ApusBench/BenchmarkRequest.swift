/// One prompt of a benchmark: the text sent, how many tokens it is believed to hold, and how
/// many tokens the server is asked to generate (with `ignore_eos` and `min_tokens`, so it does).
public struct BenchmarkRequest: Sendable, Equatable {
    /// The prompt text (the user message for the chat endpoint).
    public let prompt: String
    /// Prompt tokens by the dataset's tokenizer; the server's usage figure replaces it when given.
    public let promptTokens: Int
    /// Tokens to generate (`max_tokens` and `min_tokens`).
    public let outputTokens: Int

    /// A request of `prompt`, about `promptTokens` long, asking for `outputTokens` tokens.
    public init(prompt: String, promptTokens: Int, outputTokens: Int) {
        self.prompt = prompt
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}
