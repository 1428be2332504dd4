import ApusEngine
import ApusTokenizer

/// What the server needs from the engine: submit, cancel, a metrics snapshot, the tokenizer and
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
    /// The engine's current load and cumulative counters (for `/metrics`, the roofline share and shutdown).
    func metrics() -> EngineMetrics
    /// Cancels every request and stops the engine.
    func shutdown()
}
