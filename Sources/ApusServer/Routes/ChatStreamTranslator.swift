import ApusEngine
import ApusTokenizer

/// The chunks of a streamed chat completion: the role on each choice's first chunk, text
/// deltas (or `delta.tool_calls` fragments when tools are in play), then the finish reason.
struct ChatStreamTranslator: StreamTranslator {
    let logprobs: Bool
    let tokenizer: Tokenizer
    /// Whether each choice has sent its first chunk (which carries the role).
    private var started: [Bool]
    /// Tool-call splitters per choice, when the request has tools.
    private var toolStreams: [ToolCallStream]?

    init(n: Int, logprobs: Bool, tokenizer: Tokenizer, toolFormat: ToolCallFormat?) {
        self.logprobs = logprobs
        self.tokenizer = tokenizer
        started = Array(repeating: false, count: n)
        toolStreams = toolFormat.map { format in Array(repeating: ToolCallStream(format: format), count: n) }
    }

    mutating func delta(prompt: Int, choice: Int, text: String, logprobs tokens: [TokenLogprob]) -> [[ChatChunkChoice]] {
        let role = started[choice] ? nil : "assistant"
        started[choice] = true
        let entry = ChatChunkChoice(index: choice, role: role, content: text,
                                    logprobs: logprobs ? ChatLogprobs(tokens, tokenizer: tokenizer) : nil, finishReason: nil)
        guard toolStreams != nil else { return [[entry]] }
        let pieces = ChatChunkChoice.toolPieces(entry, stream: &toolStreams![choice])
        if pieces.isEmpty, role != nil { started[choice] = false }  // the role goes on the first chunk sent
        return pieces.map { [$0] }
    }

    mutating func finished(prompt: Int, choice: Int, reason: FinishReason) -> [[ChatChunkChoice]] {
        var chunks: [[ChatChunkChoice]] = []
        var role = started[choice] ? nil : "assistant"
        started[choice] = true
        var finishReason = apiFinishReason(reason)
        if toolStreams != nil {
            let rest = toolStreams![choice].finish()
            if !rest.isEmpty {
                chunks.append([ChatChunkChoice(index: choice, role: role, content: rest, logprobs: nil, finishReason: nil)])
                role = nil
            }
            if toolStreams![choice].callCount > 0, finishReason == "stop" { finishReason = "tool_calls" }
        }
        chunks.append([ChatChunkChoice(index: choice, role: role, content: role == nil ? nil : "", logprobs: nil,
                                       finishReason: finishReason)])
        return chunks
    }
}
