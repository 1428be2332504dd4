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
    ///
    /// To know which characters came from a message, the template is rendered a second time
    /// with each content replaced by a private-use sentinel; where substituting the contents
    /// back gives exactly the real rendering, the pieces between sentinels are the
    /// template's own text. A template that transforms contents (trim, split) fails that
    /// check, and then each content is located by searching the rendering in order.
    public func tokens(_ messages: [(role: String, content: String)], addGenerationPrompt: Bool = true) throws -> [Int] {
        let text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        let pieces = try templatePieces(messages, rendered: text, addGenerationPrompt: addGenerationPrompt)
            ?? searchedPieces(messages, rendered: text)
        var ids: [Int32] = []
        for piece in pieces {
            ids += tokenizer.encode(piece.text, addSpecial: false, parseSpecial: !piece.isContent)
        }
        let vocabulary = tokenizer.vocabulary
        if vocabulary.addBOS, let bos = vocabulary.bos, ids.first != bos { ids.insert(bos, at: 0) }
        return ids.map(Int.init)
    }

    /// The rendering cut at message contents, by sentinel rendering; nil if the template
    /// transforms contents.
    private func templatePieces(_ messages: [(role: String, content: String)], rendered: String,
                                addGenerationPrompt: Bool) throws -> [(text: String, isContent: Bool)]? {
        let sentinel = { (index: Int) in "\u{F8F0}\(index)\u{F8F1}" }
        let marked = messages.enumerated().map { (role: $0.element.role, content: sentinel($0.offset)) }
        var rest = Substring(try render(marked, addGenerationPrompt: addGenerationPrompt))
        var pieces: [(text: String, isContent: Bool)] = []
        while let open = rest.firstIndex(of: "\u{F8F0}") {
            guard let close = rest[open...].firstIndex(of: "\u{F8F1}"),
                  let index = Int(rest[rest.index(after: open)..<close]), messages.indices.contains(index) else { return nil }
            pieces.append((String(rest[..<open]), false))
            pieces.append((messages[index].content, true))
            rest = rest[rest.index(after: close)...]
        }
        pieces.append((String(rest), false))
        return pieces.map(\.text).joined() == rendered ? pieces : nil
    }

    /// The rendering cut at each content's first occurrence after the previous one.
    private func searchedPieces(_ messages: [(role: String, content: String)], rendered: String) -> [(text: String, isContent: Bool)] {
        var pieces: [(text: String, isContent: Bool)] = []
        var rest = Substring(rendered)
        for content in messages.map(\.content) where !content.isEmpty {
            guard let range = rest.range(of: content) else { continue }
            pieces.append((String(rest[..<range.lowerBound]), false))
            pieces.append((String(rest[range]), true))
            rest = rest[range.upperBound...]
        }
        pieces.append((String(rest), false))
        return pieces
    }
}
