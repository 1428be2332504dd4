import ApusEngine
import ApusTokenizer

/// Renders a conversation that involves tools — `tools` definitions, assistant messages
/// with `tool_calls`, `role: "tool"` results — through the model's chat template, and
/// tokenizes it so that only the template's own text can produce control tokens: each
/// message content is replaced by a sentinel, the template rendered, and the contents
/// tokenized as plain text between the template's pieces (as `ChatPrompt` does).
///
/// Templates with a tools section (Qwen2.5's) get `tools` in their context; for others the
/// tool definitions and the Hermes call format are put in a system message, and earlier
/// calls are written into the assistant's content in that format.
struct ToolChatPrompt {
    let builder: ChatPrompt
    /// Whether the template renders `tools` and `tool_calls` itself.
    var templateHandlesTools: Bool { builder.template.source.contains("tools") && builder.template.source.contains("tool_call") }

    /// The token ids of `messages` (the ordered body's `messages`) with `tools`.
    func tokens(_ messages: [ChatValue], tools: [ToolRequest.Tool]) throws(APIError) -> [Int] {
        var contents: [String] = []
        var rendered: [ChatValue] = []
        var prefix: [ChatValue] = []
        let firstRole = messages.first?.objectValue?["role"]?.stringValue
        let mergeIntoSystem = !templateHandlesTools && !tools.isEmpty && (firstRole == "system" || firstRole == "developer")
        if !templateHandlesTools, !tools.isEmpty, !mergeIntoSystem {
            contents.append(Self.toolInstructions(tools))
            prefix.append(["role": "system", "content": .string(Self.sentinel(0))])
        }
        for (i, message) in messages.enumerated() {
            guard let object = message.objectValue, let role = object["role"]?.stringValue else {
                throw APIError.invalid("messages[\(i)] must be an object with a string 'role'", param: "messages[\(i)]")
            }
            guard ["system", "developer", "user", "assistant", "tool"].contains(role) else {
                throw APIError.invalid("messages[\(i)].role '\(role)' is not supported: use system, developer, user, assistant or tool",
                                       param: "messages[\(i)].role", code: "unsupported_value")
            }
            var text = Self.text(of: object["content"])
            // A template may accept only one system message, first: the tool list joins it.
            if i == 0, mergeIntoSystem { text = Self.toolInstructions(tools) + "\n\n" + text }
            var entries: [(String, ChatValue)] = [("role", .string(role == "developer" ? "system" : role))]
            let calls = object["tool_calls"]?.arrayValue ?? []
            if !templateHandlesTools, !calls.isEmpty {
                let written = calls.compactMap { call -> String? in
                    guard let function = call.objectValue?["function"]?.objectValue, let name = function["name"]?.stringValue else { return nil }
                    let arguments = Self.arguments(function["arguments"])
                    return "<tool_call>\n" + ChatValue.object(ChatObject([("name", .string(name)), ("arguments", arguments)])).jsonText + "\n</tool_call>"
                }
                text = ([text] + written).filter { !$0.isEmpty }.joined(separator: "\n")
            }
            // Empty content stays empty: templates test it (`if message.content`), and it cannot forge tokens.
            if text.isEmpty {
                entries.append(("content", .string("")))
            } else {
                entries.append(("content", .string(Self.sentinel(contents.count))))
                contents.append(text)
            }
            if templateHandlesTools, !calls.isEmpty {
                // Templates print `arguments | tojson`: they expect an object, not OpenAI's JSON string.
                entries.append(("tool_calls", .array(calls.map { call -> ChatValue in
                    guard var object = call.objectValue, var function = object["function"]?.objectValue else { return call }
                    function = ChatObject(function.entries.map { ($0.key, $0.key == "arguments" ? Self.arguments($0.value) : $0.value) })
                    object = ChatObject(object.entries.map { ($0.key, $0.key == "function" ? .object(function) : $0.value) })
                    return .object(object)
                })))
            }
            for key in ["name", "tool_call_id"] { if let value = object[key], value != .null { entries.append((key, value)) } }
            rendered.append(.object(ChatObject(entries)))
        }
        let vocabulary = builder.tokenizer.vocabulary
        let marked: String
        do {
            marked = try builder.template.render(messages: prefix + rendered, addGenerationPrompt: true,
                                                 tools: templateHandlesTools ? tools.map(\.definition) : nil,
                                                 bosToken: vocabulary.bos.map { vocabulary.text(of: $0) } ?? "",
                                                 eosToken: vocabulary.eos.map { vocabulary.text(of: $0) } ?? "")
        } catch {
            throw APIError.invalid("the chat template could not render these messages: \(error)", param: "messages", code: "invalid_messages")
        }
        var ids: [Int32] = []
        var rest = Substring(marked)
        while let open = rest.firstIndex(of: "\u{F8F0}") {
            guard let close = rest[open...].firstIndex(of: "\u{F8F1}"),
                  let index = Int(rest[rest.index(after: open)..<close]), contents.indices.contains(index) else {
                throw APIError.invalid("the chat template transforms message contents, which tool conversations do not support",
                                       param: "messages", code: "invalid_messages")
            }
            ids += builder.tokenizer.encode(String(rest[..<open]), addSpecial: false, parseSpecial: true)
            ids += builder.tokenizer.encode(contents[index], addSpecial: false, parseSpecial: false)
            rest = rest[rest.index(after: close)...]
        }
        ids += builder.tokenizer.encode(String(rest), addSpecial: false, parseSpecial: true)
        if vocabulary.addBOS, let bos = vocabulary.bos, ids.first != bos { ids.insert(bos, at: 0) }
        return ids.map(Int.init)
    }

    private static func sentinel(_ index: Int) -> String { "\u{F8F0}\(index)\u{F8F1}" }

    /// A content field as text: a string, text parts joined, or empty for null.
    private static func text(of content: ChatValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?: return parts.compactMap { $0.objectValue?["text"]?.stringValue }.joined()
        default: return ""
        }
    }

    /// OpenAI's `arguments` JSON string as an object (as sent when it is not valid JSON).
    private static func arguments(_ value: ChatValue?) -> ChatValue {
        guard let value else { return .object(ChatObject()) }
        if let text = value.stringValue, let parsed = try? ChatValue(json: text) { return parsed }
        return value
    }

    /// The system message for templates without a tools section (Hermes' wording).
    static func toolInstructions(_ tools: [ToolRequest.Tool]) -> String {
        "You are a function calling AI model. You may call one or more functions to assist with the user query. "
            + "Here are the available tools:\n<tools>\n"
            + tools.map(\.definition.jsonText).joined(separator: "\n")
            + "\n</tools>\nFor each function call, return a JSON object with the function name and arguments within "
            + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
    }
}
