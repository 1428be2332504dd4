import ApusGrammar
import ApusTokenizer

/// The grammar of a forced tool call (`tool_choice: required` or a named function) in the
/// Hermes format: `<tool_call>\n{"name": N, "arguments": A}\n</tool_call>`, where N is one
/// of the allowed tools and A matches that tool's parameter schema; repeated when parallel
/// calls are allowed. The JSON part is compiled from a JSON Schema (`anyOf` over the tools,
/// `name` as a `const`), so argument schemas get the same fail-closed checks as
/// `response_format`.
enum ToolCallGrammar {
    /// Rule name of the wrapper (JSON Schema rules are named `root` and `sN-...`).
    static let rootName = "apus-tool-calls"

    /// The grammar for `request` (which must force a call).
    static func grammar(for request: ToolRequest, whitespace: JSONWhitespace) throws(APIError) -> Grammar {
        var allowed = request.tools
        if case .function(let name) = request.choice { allowed = allowed.filter { $0.name == name } }
        let branches: [ChatValue] = allowed.map { tool -> ChatValue in
            let name = ChatValue.object(ChatObject([("const", ChatValue.string(tool.name))]))
            let properties = ChatValue.object(ChatObject([("name", name), ("arguments", tool.parameters)]))
            let required = ChatValue.array([.string("name"), .string("arguments")])
            return .object(ChatObject([("type", ChatValue.string("object")), ("properties", properties), ("required", required)]))
        }
        let schema: ChatValue = branches.count == 1 ? branches[0] : ["anyOf": .array(branches)]
        var grammar: Grammar
        do {
            grammar = try GrammarSource.jsonSchema(schema.jsonText).grammar(whitespace: whitespace)
        } catch {
            throw GrammarCompilers.apiError(error, param: "tools")
        }
        let call = GrammarExpression.sequence([.literal("<tool_call>\n"), .rule(grammar.root), .literal("\n</tool_call>")])
        let body: GrammarExpression = request.parallel
            ? .sequence([call, .repetition(.sequence([.literal("\n"), call]), minimum: 0, maximum: nil)])
            : call
        grammar.define(rootName, body)
        grammar.root = rootName
        return grammar
    }
}
