/// `message.tool_calls[i]` of a chat completion.
public struct ToolCallObject: Sendable, Encodable, Equatable {
    /// `call_` and 24 random characters; the client sends it back as `tool_call_id`.
    public var id: String
    /// Always `function`.
    public var type = "function"
    /// The function called and its arguments as a JSON string.
    public var function: FunctionCall

    /// The called function.
    public struct FunctionCall: Sendable, Encodable, Equatable {
        public var name: String
        public var arguments: String
    }
}

/// `delta.tool_calls[i]` of a streamed chunk: the first fragment of a call carries `id`,
/// `type` and `function.name` with empty arguments; later ones carry argument text.
public struct ToolCallDelta: Sendable, Encodable, Equatable {
    /// Position of the call among the choice's calls.
    public var index: Int
    public var id: String?
    public var type: String?
    public var function: Function

    /// The fragment's function fields.
    public struct Function: Sendable, Encodable, Equatable {
        public var name: String?
        public var arguments: String?
    }

    /// The fragments OpenAI streams for a complete call.
    static func fragments(of call: ParsedToolCall, index: Int) -> [ToolCallDelta] {
        [ToolCallDelta(index: index, id: APIServer.makeID("call_"), type: "function", function: .init(name: call.name, arguments: "")),
         ToolCallDelta(index: index, id: nil, type: nil, function: .init(name: nil, arguments: call.arguments))]
    }
}

extension ParsedToolCall {
    /// The response object for this call, with a fresh id.
    var object: ToolCallObject {
        ToolCallObject(id: APIServer.makeID("call_"), function: .init(name: name, arguments: arguments))
    }
}

extension ChatChoice {
    /// Moves tool calls out of the content into `tool_calls`; a turn that ended by itself
    /// with calls finishes with `tool_calls`.
    mutating func extractToolCalls(_ format: ToolCallFormat) {
        let (text, calls) = format.parse(content)
        guard !calls.isEmpty else { return }
        content = text
        toolCalls = calls.map(\.object)
        if finishReason == "stop" { finishReason = "tool_calls" }
    }
}

extension ChatChunkChoice {
    /// The chunks for one text delta of a choice whose output may hold tool calls: text
    /// passes through (whitespace between calls is dropped), each completed call becomes
    /// its two `delta.tool_calls` fragments. The role goes on the first chunk sent.
    static func toolPieces(_ delta: Self, stream: inout ToolCallStream) -> [Self] {
        var role = delta.role
        var out: [Self] = []
        let pieces = stream.feed(delta.content ?? "")
        // `feed` has counted every call it returned; number them from the first.
        var callIndex = stream.callCount - pieces.filter { if case .call = $0 { return true }; return false }.count
        for piece in pieces {
            switch piece {
            case .text(let text):
                if stream.callCount > 0, text.allSatisfy(\.isWhitespace) { continue }
                out.append(Self(index: delta.index, role: role, content: text, logprobs: delta.logprobs, finishReason: nil))
            case .call(let call):
                defer { callIndex += 1 }
                for fragment in ToolCallDelta.fragments(of: call, index: callIndex) {
                    out.append(Self(index: delta.index, role: role, content: nil, logprobs: nil, finishReason: nil, toolCalls: [fragment]))
                    role = nil
                }
            }
            role = nil
        }
        return out
    }
}
