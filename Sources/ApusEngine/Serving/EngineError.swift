/// Why the engine refused a request.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// The waiting queue is full; try again later (HTTP 429).
    case overloaded(waiting: Int, limit: Int)
    /// The prompt has no tokens.
    case emptyPrompt
    /// The prompt does not fit the context, or the KV cache could never hold it.
    case promptTooLong(tokens: Int, limit: Int)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    /// A parameter out of range: name, value, allowed range.
    case invalidParameter(String, String, String)
    /// A live request already has this id.
    case duplicateID(String)
    /// The engine is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case let .overloaded(waiting, limit):
            return "the server is overloaded: \(waiting) requests are waiting (limit \(limit)); retry later"
        case .emptyPrompt: return "the prompt is empty"
        case let .promptTooLong(tokens, limit):
            return "the prompt has \(tokens) tokens but this model's context holds \(limit); shorten the prompt"
        case let .tokenOutOfRange(token, size): return "token id \(token) is outside the vocabulary (0..<\(size))"
        case let .invalidParameter(name, value, range): return "\(name) = \(value) is invalid: it must be \(range)"
        case let .duplicateID(id): return "a request with id '\(id)' is already running"
        case .shuttingDown: return "the engine is shutting down"
        }
    }
}
