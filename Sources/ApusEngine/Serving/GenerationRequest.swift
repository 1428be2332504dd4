import ApusSampling

/// What ends a generated sequence, besides cancellation.
public struct StopConditions: Sendable, Equatable {
    /// Generated tokens at most; `nil` means until the context is full.
    public var maxTokens: Int?
    /// End-of-generation tokens and stop strings are ignored until this many tokens exist.
    public var minTokens: Int = 0
    /// Text that ends the output when it appears; never part of the emitted text.
    public var stopStrings: [String] = []
    /// Token ids that end the output (besides the model's end-of-generation tokens); like
    /// those, never emitted as text.
    public var stopTokenIDs: Set<Int> = []
    /// Keep generating past the model's end-of-generation tokens.
    public var ignoreEndOfGeneration = false

    /// No limit but the context.
    public init() {}
}

/// One request to the engine: a tokenized prompt and how to continue it.
///
/// `n > 1` asks for several independent continuations (choices) of the same prompt; they
/// share the prompt's cache blocks. With a fixed seed, choice `i` draws from seed `seed + i`.
public struct GenerationRequest: Sendable {
    /// Caller's identifier, used by `Engine.cancel` and in logs. Must be unique among live requests.
    public var id: String
    /// Prompt token ids (non-empty, each in the vocabulary).
    public var prompt: [Int]
    /// How tokens are drawn.
    public var sampling: SamplingParameters
    /// When a choice ends.
    public var stop: StopConditions
    /// Number of choices (1…`EngineConfiguration.maxChoices`).
    public var n: Int
    /// Top alternatives to report with each token's log-probability (0…20); `nil` reports none.
    public var logprobs: Int?
    /// Scheduling priority: a larger value runs first and is preempted last (vLLM's sign is the
    /// opposite; the server converts).
    public var priority: Int
    /// Makes one token constraint per choice (a grammar or schema), or `nil` for free text.
    public var constraint: (@Sendable () -> any TokenConstraint)?

    /// A request with defaults: one choice, no logprobs, priority 0, no constraint.
    public init(id: String, prompt: [Int], sampling: SamplingParameters = .greedy, stop: StopConditions = .init(),
                n: Int = 1, logprobs: Int? = nil, priority: Int = 0,
                constraint: (@Sendable () -> any TokenConstraint)? = nil) {
        self.id = id
        self.prompt = prompt
        self.sampling = sampling
        self.stop = stop
        self.n = n
        self.logprobs = logprobs
        self.priority = priority
        self.constraint = constraint
    }
}
