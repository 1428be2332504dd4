/// What went wrong while building a tokenizer from a vocabulary.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// `tokenizer.ggml.model` names an algorithm Apus does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer missing from `PreTokenizer.table`.
    case unsupportedPreTokenizer(String)
    /// A required metadata key is absent.
    case missingKey(String)
    /// An array does not have one entry per token.
    case lengthMismatch(key: String, expected: Int, found: Int)
    /// A special-token id points outside the vocabulary.
    case tokenOutOfRange(key: String, id: Int, count: Int)
    /// A pre-tokenizer pattern could not be compiled.
    case invalidPattern(pattern: String, reason: String)

    /// What is wrong and what to do about it.
    public var description: String {
        switch self {
        case .unsupportedModel(let name):
            return "tokenizer model '\(name)' is not supported (supported: gpt2 = byte-level BPE, llama = SentencePiece); use a model with one of those vocabularies"
        case .unsupportedPreTokenizer(let name):
            return "pre-tokenizer '\(name)' is not supported; add its split rules to PreTokenizer.table"
        case .missingKey(let key):
            return "the GGUF file has no '\(key)'; the file is not a complete model or vocabulary, re-convert it"
        case .lengthMismatch(let key, let expected, let found):
            return "'\(key)' has \(found) entries but the vocabulary has \(expected) tokens; the file is damaged, re-download it"
        case .tokenOutOfRange(let key, let id, let count):
            return "'\(key)' = \(id) is outside the vocabulary of \(count) tokens; the file is damaged, re-download it"
        case .invalidPattern(let pattern, let reason):
            return "pre-tokenizer pattern \(pattern) is invalid: \(reason)"
        }
    }
}
