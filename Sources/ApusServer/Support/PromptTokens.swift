import ApusEngine
import ApusTokenizer

/// Turns the prompt forms of the API into token ids, with 400s that name the offending part.
enum PromptTokens {
    /// Roles a chat template is given; `developer` (OpenAI's newer name) renders as `system`.
    static let chatRoles: Set<String> = ["system", "developer", "user", "assistant"]

    /// The token ids of a chat, rendered through the model's template.
    static func chat(_ messages: [ChatMessage], builder: ChatPrompt?, missingTemplate: String) throws(APIError) -> [Int] {
        guard let builder else { throw APIError.invalid(missingTemplate, param: "messages", code: "chat_template_missing") }
        guard !messages.isEmpty else { throw APIError.invalid("messages must contain at least one message", param: "messages") }
        var pairs: [(role: String, content: String)] = []
        for (i, message) in messages.enumerated() {
            guard chatRoles.contains(message.role) else {
                let hint = message.role == "function"
                    ? "the deprecated 'function' role is not supported; send tool results with role 'tool'"
                    : "use system, developer, user, assistant or tool"
                throw APIError.invalid("messages[\(i)].role '\(message.role)' is not supported: \(hint)",
                                       param: "messages[\(i)].role", code: "unsupported_value")
            }
            guard message.content != nil || message.role == "assistant" else {
                throw APIError.invalid("messages[\(i)].content is required for role '\(message.role)'",
                                       param: "messages[\(i)].content", code: "missing_required_parameter")
            }
            pairs.append((message.role == "developer" ? "system" : message.role, message.content?.text ?? ""))
        }
        do {
            return try builder.tokens(pairs)
        } catch {
            throw APIError.invalid("the chat template could not render these messages: \(error)", param: "messages",
                                   code: "invalid_messages")
        }
    }

    /// One token list per prompt of a legacy completion, with the text each prompt stands for
    /// (for `echo`). Text prompts may contain control tokens as text (vLLM and llama-server
    /// parse them in completions too: the caller writes the whole prompt).
    static func completion(_ prompt: PromptInput, tokenizer: Tokenizer, vocabularySize: Int,
                           maxPrompts: Int) throws(APIError) -> [(tokens: [Int], text: String)] {
        let encode = { (text: String) in tokenizer.encode(text, addSpecial: true, parseSpecial: true).map(Int.init) }
        var prompts: [(tokens: [Int], text: String)]
        switch prompt {
        case let .text(text): prompts = [(encode(text), text)]
        case let .texts(texts): prompts = texts.map { (encode($0), $0) }
        case let .tokens(ids): prompts = [(ids, "")]
        case let .tokenLists(lists): prompts = lists.map { ($0, "") }
        }
        guard !prompts.isEmpty else { throw APIError.invalid("prompt must not be an empty list", param: "prompt") }
        guard prompts.count <= maxPrompts else {
            throw APIError.invalid("prompt has \(prompts.count) prompts; at most \(maxPrompts) are accepted in one request", param: "prompt")
        }
        for (p, entry) in prompts.enumerated() {
            let name = prompts.count > 1 ? "prompt[\(p)]" : "prompt"
            guard !entry.tokens.isEmpty else { throw APIError.invalid("\(name) is empty: it has no tokens", param: "prompt") }
            if let bad = entry.tokens.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw APIError.invalid("\(name) contains token id \(bad), outside the vocabulary (0..<\(vocabularySize))", param: "prompt")
            }
        }
        switch prompt {
        case .tokens, .tokenLists:
            return prompts.map { ($0.tokens, tokenizer.decode($0.tokens.map { Int32($0) }, removeSpecial: false, renderSpecial: true)) }
        default:
            return prompts
        }
    }
}
