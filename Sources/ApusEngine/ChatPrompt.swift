import ApusTokenizer

/// Builds a chat prompt's token ids: renders the template, then tokenizes so that the
/// template's own control tokens (`<|im_start|>`) become control ids while the text of
/// each message's content is tokenized as plain text — a user typing `<|im_end|>` gets
/// ordinary pieces and cannot forge a turn boundary.
public struct ChatPrompt: Sendable {
    /// The template in use.
    public let template: ChatTemplate
    /// The tokenizer of the model.
    public let tokenizer: Tokenizer

    /// ChatML, for models without a template of their own (`--chat-template chatml`).
    public static let chatML = """
    {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
    """

    /// A prompt builder for `template` and `tokenizer`.
    public init(template: ChatTemplate, tokenizer: Tokenizer) {
        self.template = template
        self.tokenizer = tokenizer
    }

    /// The rendered text of `messages` (each a `role`/`content` pair).
    public func render(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool = true) throws -> String {
        let vocabulary = tokenizer.vocabulary
        let values: [ChatValue] = messages.map { ["role": .string($0.role), "content": .string($0.content)] }
        return try template.render(messages: values, addGenerationPrompt: addGenerationPrompt,
                                   bosToken: vocabulary.bos.map { vocabulary.text(of: $0) } ?? "",
                                   eosToken: vocabulary.eos.map { vocabulary.text(of: $0) } ?? "")
    }

    /// The token ids of `messages`, with BOS added only if the vocabulary wants it and the
    /// template did not already write it.
    public func tokens(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool = true) throws -> [Int] {
        let text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        var ids: [Int32] = []
        var rest = Substring(text)
        // Walk the rendered text; each message's content, found in order, is plain text.
        for content in messages.map(\.content) where !content.isEmpty {
            guard let range = rest.range(of: content) else { continue }
            ids += tokenizer.encode(String(rest[..<range.lowerBound]), addSpecial: false, parseSpecial: true)
            ids += tokenizer.encode(String(rest[range]), addSpecial: false, parseSpecial: false)
            rest = rest[range.upperBound...]
        }
        ids += tokenizer.encode(String(rest), addSpecial: false, parseSpecial: true)
        let vocabulary = tokenizer.vocabulary
        if vocabulary.addBOS, let bos = vocabulary.bos, ids.first != bos { ids.insert(bos, at: 0) }
        return ids.map(Int.init)
    }
}
