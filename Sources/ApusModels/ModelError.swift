import ApusCore

/// Why a model could not be loaded or run.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// The file's architecture has no implementation.
    case unsupportedArchitecture(String)
    /// A tensor the architecture needs is absent.
    case missingTensor(String)
    /// A tensor has another shape than the hyperparameters imply.
    case badTensorShape(name: String, expected: [Int], found: [Int])
    /// A tensor's type has no kernels.
    case unsupportedTensorType(name: String, type: GGMLType)
    /// The batch is larger than the model's scratch buffers were sized for.
    case batchTooLarge(tokens: Int, maximum: Int)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    /// A position the sequence has no cache blocks for, or beyond the context.
    case positionOutOfRange(position: Int, sequence: Int, limit: Int)
    /// The KV cache has no free blocks left.
    case cacheFull(neededTokens: Int, capacityTokens: Int)
    /// A kernel rejected its inputs (a bug or an unsupported shape).
    case kernel(String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(arch):
            return "model architecture '\(arch)' is not supported (Apus runs llama, qwen2 and gemma3)"
        case let .missingTensor(name):
            return "the model file has no tensor '\(name)' (incomplete or unusual conversion)"
        case let .badTensorShape(name, expected, found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case let .unsupportedTensorType(name, type):
            return "tensor '\(name)' has type \(type), which Apus cannot compute with yet"
        case let .batchTooLarge(tokens, maximum):
            return "a batch of \(tokens) tokens exceeds the \(maximum) the model was loaded for"
        case let .tokenOutOfRange(token, size):
            return "token id \(token) is outside the vocabulary of \(size)"
        case let .positionOutOfRange(position, sequence, limit):
            return "position \(position) of sequence \(sequence) is beyond its limit of \(limit) (reserve KV blocks first, or the context is full)"
        case let .cacheFull(needed, capacity):
            return "the KV cache is full: \(needed) tokens needed, \(capacity) fit"
        case let .kernel(message):
            return "kernel error: \(message)"
        }
    }
}
