import ApusEngine
import ApusTokenizer

/// What the server needs from the engine: submit, cancel, a load snapshot, the tokenizer and
/// the context length. `Engine` conforms (see `Engine+GenerationService.swift`); the protocol
/// keeps the HTTP layer independent of how the engine is built.
public protocol GenerationService: AnyObject, Sendable {
    /// The model's tokenizer (prompts are tokenized by the server).
    var tokenizer: Tokenizer { get }
    /// Prompt plus output tokens one sequence may hold.
    var contextLength: Int { get }
    /// Token ids are `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Queues `request`; its events arrive on the returned stream. Dropping the stream cancels it.
    func submit(_ request: GenerationRequest) throws(EngineError) -> AsyncStream<GenerationEvent>
    /// Cancels the live request `id` (no effect if it already finished).
    func cancel(id: String)
    /// A snapshot of the engine's load and cumulative counters.
    func load() -> EngineLoad
    /// Cancels every request and stops the engine.
    func shutdown()
}

/// A snapshot of the engine's state for `/metrics` and shutdown.
public struct EngineLoad: Sendable, Equatable {
    /// Requests with sequences being computed.
    public var running = 0
    /// Requests queued, not yet admitted.
    public var waiting = 0
    /// Share of KV cache blocks in use, 0...1.
    public var kvCacheUsage = 0.0
    /// Prompt tokens looked up in the prefix cache (cumulative).
    public var prefixCacheQueriedTokens = 0
    /// Prompt tokens found there (cumulative).
    public var prefixCacheHitTokens = 0
    /// Prompt tokens of admitted requests (cumulative).
    public var promptTokens = 0
    /// Generated tokens (cumulative).
    public var generationTokens = 0
    /// Sequences preempted for lack of KV blocks (cumulative).
    public var preemptions = 0
    /// KV cache capacity in tokens.
    public var kvCacheTokens = 0

    /// All zero.
    public init() {}
}
