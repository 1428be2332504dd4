/// Why a choice stopped.
public enum FinishReason: String, Sendable, Codable {
    /// An end-of-generation token, a stop token, a stop string, or a constraint that is complete.
    case stop
    /// The token limit (`max_tokens`) was reached.
    case length
    /// The caller cancelled (or dropped its stream).
    case cancelled
    /// The context is full: the sequence cannot grow further.
    case contextFull = "context_full"
    /// The engine failed while running the request (the message is in `RequestUsage.error`).
    case error
}

/// A token's log-probability and, optionally, the most likely alternatives at that step.
public struct TokenLogprob: Sendable, Equatable {
    /// The chosen token.
    public var token: Int
    /// Its log-probability under the model's distribution (before sampling filters).
    public var logprob: Float
    /// The most likely tokens at that step, best first, with their log-probabilities.
    public var top: [(token: Int, logprob: Float)]

    /// A token with its alternatives.
    public init(token: Int, logprob: Float, top: [(token: Int, logprob: Float)]) {
        self.token = token
        self.logprob = logprob
        self.top = top
    }

    public static func == (a: TokenLogprob, b: TokenLogprob) -> Bool {
        a.token == b.token && a.logprob == b.logprob && a.top.map(\.token) == b.top.map(\.token)
            && a.top.map(\.logprob) == b.top.map(\.logprob)
    }
}

/// Time spent by a request in each phase, in seconds.
public struct RequestTimings: Sendable, Equatable {
    /// From submission until its first tokens were scheduled.
    public var queue: Double = 0
    /// From submission until its first generated token was known.
    public var timeToFirstToken: Double = 0
    /// From submission until its last choice finished.
    public var total: Double = 0
    /// Gaps between consecutive generated tokens of choice 0.
    public var interTokenGaps: [Double] = []

    /// All zero.
    public init() {}
}

/// Token counts and timings of a finished request.
public struct RequestUsage: Sendable, Equatable {
    /// Prompt tokens.
    public var promptTokens = 0
    /// Prompt tokens whose keys and values came from the prefix cache (not computed).
    public var cachedTokens = 0
    /// Generated tokens over all choices.
    public var completionTokens = 0
    /// Phase timings.
    public var timings = RequestTimings()
    /// What went wrong, when a choice ended with `.error`.
    public var error: String?
    /// The error lies in the request, not the engine: its output constraint requires text
    /// this model's vocabulary cannot spell (a client error, HTTP 400).
    public var errorIsInvalidRequest = false

    /// All zero.
    public init() {}
}

/// What a request's stream delivers, in order: deltas and finishes of its choices
/// interleaved, then exactly one `.completed`.
public enum GenerationEvent: Sendable {
    /// New output of choice `choice`: `text` is valid UTF-8 (possibly empty while a stop string
    /// or a multi-byte character is held back), `tokens` the ids it came from, `logprobs` one
    /// entry per token when asked for.
    case delta(choice: Int, text: String, tokens: [Int], logprobs: [TokenLogprob])
    /// Choice `choice` ended; `stopString` is the stop string that ended it, if any.
    case finished(choice: Int, reason: FinishReason, stopString: String?)
    /// Every choice has ended: usage and timings. Always the last event.
    case completed(RequestUsage)
}
