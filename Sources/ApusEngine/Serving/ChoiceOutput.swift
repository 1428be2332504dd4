import ApusTokenizer

/// Turns one choice's drawn tokens into text deltas and decides when it ends: end-of-
/// generation and stop tokens, stop strings, the token limit and the context limit.
struct ChoiceOutput {
    private var detokenizer: StreamingDetokenizer
    private var matcher: StopStringMatcher
    private let stop: StopConditions
    private let endTokens: Set<Int>
    private let maxTokens: Int
    /// Tokens drawn so far.
    private(set) var generated = 0
    /// Set once the choice has ended.
    private(set) var finish: FinishReason?

    /// - Parameter room: how many tokens fit after the prompt in the context.
    init(tokenizer: Tokenizer, stop: StopConditions, room: Int) {
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        matcher = StopStringMatcher(stop.stopStrings)
        self.stop = stop
        endTokens = stop.ignoreEndOfGeneration ? [] : Set(tokenizer.vocabulary.endOfGeneration.map(Int.init))
        maxTokens = min(stop.maxTokens ?? room, room)
    }

    /// Tokens the sampler must not draw now: end tokens before `min_tokens` are reached.
    var suppressedTokens: [Int] {
        generated < stop.minTokens ? Array(endTokens) + Array(stop.stopTokenIDs) : []
    }

    /// Takes the next drawn token: the text to emit and, when the choice ends with it, the
    /// reason and the stop string that ended it.
    mutating func append(_ token: Int) -> (text: String, finish: FinishReason?, stopString: String?) {
        generated += 1
        let mayStop = generated > stop.minTokens
        if mayStop, endTokens.contains(token) || stop.stopTokenIDs.contains(token) {
            return end(.stop, text: matcher.flush() + detokenizer.finish())
        }
        let (text, stopString) = matcher.push(detokenizer.append(Int32(token)), active: generated >= stop.minTokens)
        if let stopString { return (text, finishing(.stop), stopString) }
        if generated >= maxTokens { return end(.length, text: text + matcher.push(detokenizer.finish()).text + matcher.flush()) }
        return (text, nil, nil)
    }

    /// Ends the choice for a reason outside the token stream (cancelled, out of room, error):
    /// the held-back text.
    mutating func end(_ reason: FinishReason) -> String {
        end(reason, text: matcher.push(detokenizer.finish()).text + matcher.flush()).text
    }

    private mutating func end(_ reason: FinishReason, text: String) -> (text: String, finish: FinishReason?, stopString: String?) {
        (text, finishing(reason), nil)
    }

    private mutating func finishing(_ reason: FinishReason) -> FinishReason {
        finish = reason
        return reason
    }
}
