import Foundation

/// A compiled chat template (`tokenizer.chat_template`) that renders like Python's jinja2
/// with Hugging Face's settings: `trim_blocks`, `lstrip_blocks`, loop controls,
/// `raise_exception`, `strftime_now` and `tojson` with `ensure_ascii=False`.
///
/// Compile once, render many times from any thread.
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [Node]

    /// Compiles `source`. Throws `.syntax` for malformed Jinja and `.unsupported` (naming the
    /// construct and line) for constructs this interpreter does not implement.
    public init(_ source: String) throws(TemplateError) {
        self.source = source
        nodes = try TemplateParser.parse(source)
    }

    /// Renders a conversation into the prompt text.
    /// - Parameters:
    ///   - messages: objects with `role` and `content` (a string or a list of parts), plus
    ///     optional `tool_calls`, `name`, `tool_call_id`, `reasoning_content`, ...
    ///   - addGenerationPrompt: whether to append the header that starts the assistant's turn.
    ///   - tools: tool schemas (OpenAI style), or nil; passed as `tools` (None when nil, as transformers does).
    ///   - bosToken: the text of the model's BOS token, as `bos_token`.
    ///   - eosToken: the text of the model's EOS token, as `eos_token`.
    ///   - extraContext: further variables (`enable_thinking`, `date_string`, ...); they override the above.
    ///   - now: the time `strftime_now` reports.
    /// - Throws: `TemplateError.raised` when the template rejects the conversation,
    ///   `.runtime` for type errors and misuse of undefined values.
    public func render(
        messages: [ChatValue], addGenerationPrompt: Bool, tools: [ChatValue]? = nil,
        bosToken: String = "", eosToken: String = "", extraContext: [String: ChatValue] = [:], now: Date = Date()
    ) throws(TemplateError) -> String {
        for (index, message) in messages.enumerated() {
            guard case .string? = message["role"] else {
                throw .runtime(message: "message \(index) has no string 'role'; every message needs one", line: nil)
            }
        }
        var context: [String: Value] = [
            "messages": .array(messages.map(Value.init)),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "tools": tools.map { .array($0.map(Value.init)) } ?? .none,
            "documents": .none,
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        for (key, value) in extraContext { context[key] = Value(value) }
        return try TemplateInterpreter(now: now).render(nodes, context: context)
    }
}
