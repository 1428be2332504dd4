import ApusEngine
import ApusSampling
import ApusTokenizer

/// What the chat route needs from the structured-output and tool-calling side: the prompt
/// (tool-aware when the conversation involves tools), the constraint, and whether the
/// output is to be searched for tool calls and in which format.
struct ChatStructure {
    /// Prompt token ids.
    var prompt: [Int]
    /// The constraint factory, if the output is constrained.
    var constraint: (@Sendable () -> any TokenConstraint)?
    /// The call format to parse out of the output; nil when calls are not expected.
    var toolFormat: ToolCallFormat?
}

extension APIServer {
    /// Reads tools, tool messages and output constraints from the ordered `body` and builds
    /// the prompt; the plain path (`PromptTokens.chat`) serves conversations without tools.
    func chatStructure(_ body: ChatCompletionRequest, ordered: ChatValue, service: any GenerationService) throws(APIError) -> ChatStructure {
        let tools = try ToolRequest.parse(ordered)
        var constraint = try constraintFactory(ordered, service: service)
        let messages = ordered.objectValue?["messages"]?.arrayValue ?? []
        let involvesTools = tools != nil || messages.contains { message in
            message.objectValue.map { $0["role"]?.stringValue == "tool" || ($0["tool_calls"]?.arrayValue?.isEmpty == false) } ?? false
        }
        guard involvesTools else {
            let prompt = try PromptTokens.chat(body.messages, builder: slot.chatPrompt, missingTemplate: configuration.missingChatTemplateReason)
            return ChatStructure(prompt: prompt, constraint: constraint, toolFormat: nil)
        }
        guard let builder = slot.chatPrompt else {
            throw APIError.invalid(configuration.missingChatTemplateReason, param: "messages", code: "chat_template_missing")
        }
        let prompt = try ToolChatPrompt(builder: builder).tokens(messages, tools: tools?.tools ?? [])
        let format = ToolCallFormat(template: builder.template.source)
        guard let tools, tools.choice != .none else { return ChatStructure(prompt: prompt, constraint: constraint, toolFormat: nil) }
        if tools.forcesCall {
            guard constraint == nil else {
                throw APIError.invalid("tool_choice \(tools.choice == .required ? "'required'" : "naming a function") cannot be combined with an output constraint (response_format, structured_outputs, json_schema, grammar)",
                                       param: "tool_choice")
            }
            let grammar = try ToolCallGrammar.grammar(for: tools, whitespace: grammars.compiler(for: service).whitespace)
            constraint = try grammars.factory(for: grammar, param: "tools", service: service)
        }
        return ChatStructure(prompt: prompt, constraint: constraint, toolFormat: format)
    }
}
