/// One choice of one request as the scheduler sees it: tokens, how many of them have keys
/// and values in the cache, and its blocks. vLLM's counter model: every step closes the gap
/// between `computedCount` and `tokens.count` (+ draft tokens) as far as the budget allows,
/// whether that is a prompt chunk, one decode token, a recomputation after preemption, or
/// a speculative verification.
///
///     tokens   [ prompt ............ | output ...... | drafts ]
///     computed [ cached | computed   |          ]              ← computedCount
///                                    ^ promptCount
public struct GenerationSequence: Sendable {
    /// Where a sequence is in its life.
    public enum Status: Sendable, Equatable {
        /// In the waiting queue (new, or preempted and to be recomputed).
        case waiting
        /// Being computed step by step.
        case running
    }

    /// Engine-wide id (also the KV cache's sequence key).
    public let id: Int
    /// The request it belongs to, and which of its choices it is.
    public let request: Int
    /// Choice index within the request (0 for the first).
    public let choice: Int
    /// Prompt then generated tokens.
    public internal(set) var tokens: [Int]
    /// Tokens of the prompt.
    public let promptCount: Int
    /// Tokens whose keys and values are in the cache.
    public internal(set) var computedCount = 0
    /// Proposed tokens to verify in the next step (speculative decoding); they get logits
    /// for every row and are rolled back with `Scheduler.truncate` when rejected.
    public internal(set) var draftTokens: [Int] = []
    /// Larger runs first and is preempted last.
    public let priority: Int
    /// Arrival order (FCFS among equal priorities).
    public let arrival: Int
    /// Current state.
    public internal(set) var status = Status.waiting
    /// The sequence's cache blocks.
    public internal(set) var blockTable = BlockTable()
    /// Prompt tokens served from the prefix cache at first admission.
    public internal(set) var cachedPromptTokens = 0
    /// How often it was preempted.
    public internal(set) var preemptions = 0
    /// Choices still to fork from this one once its prompt is computed (n > 1).
    var pendingForks: [Int] = []

    /// A waiting sequence.
    public init(id: Int, request: Int, choice: Int, tokens: [Int], promptCount: Int, priority: Int, arrival: Int) {
        self.id = id
        self.request = request
        self.choice = choice
        self.tokens = tokens
        self.promptCount = promptCount
        self.priority = priority
        self.arrival = arrival
    }

    /// Tokens (including drafts) that still need their keys and values computed.
    public var uncomputedCount: Int { tokens.count + draftTokens.count - computedCount }
    /// Generated tokens so far.
    public var outputCount: Int { tokens.count - promptCount }
    /// Whether it comes before `other` in priority order (higher priority, then earlier arrival).
    func precedes(_ other: GenerationSequence) -> Bool {
        priority != other.priority ? priority > other.priority : (arrival, choice) < (other.arrival, other.choice)
    }
}
