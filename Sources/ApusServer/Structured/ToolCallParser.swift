import ApusTokenizer
import Foundation

/// A tool call found in the model's output.
struct ParsedToolCall: Equatable {
    /// The function called.
    var name: String
    /// Its arguments as compact JSON text (OpenAI sends them as a string).
    var arguments: String
}

/// How a model family writes tool calls, chosen from its chat template. Qwen2.5, Hermes and
/// most ChatML models write `<tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>`;
/// it is also the format Apus asks for (in a system message) when a template has no tools
/// section of its own.
enum ToolCallFormat {
    /// `<tool_call>{json}</tool_call>` (NousResearch Hermes, Qwen2.5).
    case hermes

    /// The format for a template's source. Every template currently maps to Hermes; a
    /// family with another syntax (Llama 3.1's `<|python_tag|>`, Mistral's `[TOOL_CALLS]`)
    /// adds a case here and its parser below.
    init(template: String) {
        self = .hermes
    }

    /// Text that opens a call.
    var open: String { "<tool_call>" }
    /// Text that closes it.
    var close: String { "</tool_call>" }

    /// Splits a finished output into its text and its calls. A block that does not hold a
    /// JSON object with a string `name` stays in the text, so nothing the model wrote is lost.
    func parse(_ output: String) -> (content: String, calls: [ParsedToolCall]) {
        var content = ""
        var calls: [ParsedToolCall] = []
        var rest = Substring(output)
        while let start = rest.range(of: open) {
            let afterOpen = rest[start.upperBound...]
            guard let end = afterOpen.range(of: close) else { break }
            if let call = Self.call(String(afterOpen[..<end.lowerBound])) {
                content += rest[..<start.lowerBound]
                calls.append(call)
            } else {
                content += rest[..<end.upperBound]
            }
            rest = afterOpen[end.upperBound...]
        }
        content += rest
        if !calls.isEmpty { content = content.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (content, calls)
    }

    /// The call in the JSON between the tags, if it is one.
    static func call(_ json: String) -> ParsedToolCall? {
        guard let value = try? ChatValue(json: json.trimmingCharacters(in: .whitespacesAndNewlines)),
              let object = value.objectValue, let name = object["name"]?.stringValue else { return nil }
        let arguments = object["arguments"] ?? object["parameters"] ?? .object(ChatObject())
        // Some models write the arguments as a JSON string already.
        if let text = arguments.stringValue, let parsed = try? ChatValue(json: text), parsed.objectValue != nil {
            return ParsedToolCall(name: name, arguments: parsed.jsonText)
        }
        return ParsedToolCall(name: name, arguments: arguments.jsonText)
    }
}
