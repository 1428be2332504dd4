/// One sequence's share of a step: rows `start ..< start + count` of its tokens.
public struct ScheduledChunk: Sendable, Equatable {
    /// The sequence.
    public let sequence: Int
    /// First position computed in this step.
    public let start: Int
    /// Positions computed in this step.
    public let count: Int
    /// First position whose logits are needed (every later row of the chunk wants them too);
    /// `nil` when the chunk ends before the sequence's last token (a prompt chunk).
    public let logitsFrom: Int?
    /// Sequences that draw their next token from this chunk's last row: the sequence itself,
    /// plus the choices forked from it when its prompt completes (n > 1).
    public let samplers: [Int]
}

/// What the scheduler decided for one step: who computes what, which blocks to copy first.
public struct SchedulerOutput: Sendable, Equatable {
    /// Chunks in batch order (decodes first).
    public var chunks: [ScheduledChunk] = []
    /// Block copies to carry out before the forward pass (copy on write).
    public var copies: [BlockCopy] = []
    /// Sequences preempted in this step (their blocks are freed; they will be recomputed).
    public var preempted: [Int] = []
    /// Sequences that finished for lack of room (alone, they outgrew the cache).
    public var outOfRoom: [Int] = []

    /// Tokens computed in this step.
    public var tokenCount: Int { chunks.reduce(0) { $0 + $1.count } }
    /// Whether there is nothing to run.
    public var isEmpty: Bool { chunks.isEmpty }
}

/// A token drawn for a sequence, with its log-probability when asked for.
public struct SampledToken: Sendable {
    /// The sequence.
    public let sequence: Int
    /// The token.
    public let token: Int
    /// Log-probability and alternatives, when the request asked for them.
    public let logprob: TokenLogprob?

    /// The sequence's constraint allowed no token of the vocabulary: `token` is only the
    /// unconstrained draw, and the choice cannot go on (its grammar requires text the
    /// model's tokens cannot spell, such as a byte no token holds).
    public let constraintDeadEnd: Bool

    /// A drawn token.
    public init(sequence: Int, token: Int, logprob: TokenLogprob? = nil, constraintDeadEnd: Bool = false) {
        self.sequence = sequence
        self.token = token
        self.logprob = logprob
        self.constraintDeadEnd = constraintDeadEnd
    }
}

/// What the runner reports back for a step.
public struct RunnerOutput: Sendable {
    /// Tokens drawn, at most one per sampling sequence (speculative decoding will report
    /// several accepted tokens per sequence).
    public var sampled: [SampledToken] = []

    /// An empty output.
    public init(sampled: [SampledToken] = []) { self.sampled = sampled }
}
