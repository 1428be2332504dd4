/// The raw `tokenizer.ggml.*` values a `Vocabulary` is built from, as read from a GGUF
/// file (see `Vocabulary(file:)`) or written by hand in tests.
public struct VocabularySource: Sendable {
    /// `tokenizer.ggml.model`: "gpt2" (byte-level BPE) or "llama" (SentencePiece).
    public var model: String
    /// `tokenizer.ggml.pre`, the pre-tokenizer name; nil means "default".
    public var preTokenizer: String?
    /// `tokenizer.ggml.tokens`, one text per id.
    public var tokens: [String]
    /// `tokenizer.ggml.scores` (SentencePiece merge priorities), one per token.
    public var scores: [Float]?
    /// `tokenizer.ggml.token_type`, one GGUF token type per token.
    public var tokenTypes: [Int]?
    /// `tokenizer.ggml.merges`, "left right" in rank order (byte-level BPE).
    public var merges: [String]?
    /// `tokenizer.ggml.bos_token_id`.
    public var bosID: Int?
    /// `tokenizer.ggml.eos_token_id`.
    public var eosID: Int?
    /// `tokenizer.ggml.eot_token_id`.
    public var eotID: Int?
    /// `tokenizer.ggml.unknown_token_id`.
    public var unknownID: Int?
    /// `tokenizer.ggml.padding_token_id`.
    public var paddingID: Int?
    /// `tokenizer.ggml.add_bos_token`.
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_eos_token`.
    public var addEOS: Bool?
    /// `tokenizer.ggml.add_space_prefix`.
    public var addSpacePrefix: Bool?
    /// `general.name`; llama.cpp keys a few token-attribute fixes (Phi-3) on it.
    public var modelName: String?

    /// A source with the required fields; set the optional ones as needed.
    public init(model: String, tokens: [String]) {
        self.model = model
        self.tokens = tokens
    }
}
