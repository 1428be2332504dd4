import ApusEngine
import ApusTokenizer

/// The chunks of a streamed text completion: the echoed prompt before a choice's first
/// text, text deltas with legacy log-probabilities (offsets running over the choice's
/// text), then the finish reason. Choice index = prompt × n + choice.
struct CompletionStreamTranslator: StreamTranslator {
    let n: Int
    let logprobs: Bool
    let tokenizer: Tokenizer
    /// Echoed prompt text still to send, per prompt and choice.
    private var pendingEcho: [[String]]
    /// Characters sent so far per prompt and choice (`text_offset` of the next token).
    private var offsets: [[Int]]

    init(n: Int, echoes: [String], logprobs: Bool, tokenizer: Tokenizer) {
        self.n = n
        self.logprobs = logprobs
        self.tokenizer = tokenizer
        pendingEcho = echoes.map { Array(repeating: $0, count: n) }
        offsets = Array(repeating: Array(repeating: 0, count: n), count: echoes.count)
    }

    mutating func delta(prompt: Int, choice: Int, text: String, logprobs tokens: [TokenLogprob]) -> [[CompletionChoice]] {
        let prefix = takeEcho(prompt: prompt, choice: choice)
        var entry: CompletionLogprobs?
        if logprobs {
            var lp = CompletionLogprobs()
            lp.append(tokens, offset: offsets[prompt][choice], tokenizer: tokenizer)
            entry = lp
        }
        offsets[prompt][choice] += text.count
        return [[CompletionChoice(text: prefix + text, index: prompt * n + choice, logprobs: entry, finishReason: nil)]]
    }

    mutating func finished(prompt: Int, choice: Int, reason: FinishReason) -> [[CompletionChoice]] {
        [[CompletionChoice(text: takeEcho(prompt: prompt, choice: choice), index: prompt * n + choice, logprobs: nil,
                           finishReason: apiFinishReason(reason))]]
    }

    private mutating func takeEcho(prompt: Int, choice: Int) -> String {
        defer { pendingEcho[prompt][choice] = "" }
        return pendingEcho[prompt][choice]
    }
}
