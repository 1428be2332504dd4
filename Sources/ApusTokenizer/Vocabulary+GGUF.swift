import ApusGGUF

extension VocabularySource {
    /// The `tokenizer.ggml.*` values of a GGUF file.
    /// - Throws: `TokenizerError.missingKey` when the model or token list is absent.
    public init(file: GGUFFile) throws {
        let metadata = file.metadata
        guard let model = metadata.string("tokenizer.ggml.model") else { throw TokenizerError.missingKey("tokenizer.ggml.model") }
        guard let tokens = metadata.strings("tokenizer.ggml.tokens") else { throw TokenizerError.missingKey("tokenizer.ggml.tokens") }
        self.init(model: model, tokens: tokens)
        preTokenizer = metadata.string("tokenizer.ggml.pre")
        scores = metadata.floats("tokenizer.ggml.scores")
        tokenTypes = metadata.ints("tokenizer.ggml.token_type")
        merges = metadata.strings("tokenizer.ggml.merges")
        bosID = metadata.int("tokenizer.ggml.bos_token_id")
        eosID = metadata.int("tokenizer.ggml.eos_token_id")
        eotID = metadata.int("tokenizer.ggml.eot_token_id")
        unknownID = metadata.int("tokenizer.ggml.unknown_token_id")
        paddingID = metadata.int("tokenizer.ggml.padding_token_id")
        addBOS = metadata.bool("tokenizer.ggml.add_bos_token")
        addEOS = metadata.bool("tokenizer.ggml.add_eos_token")
        addSpacePrefix = metadata.bool("tokenizer.ggml.add_space_prefix")
        modelName = metadata.string("general.name")
    }
}

extension Vocabulary {
    /// The vocabulary stored in a GGUF file.
    /// - Throws: `TokenizerError` when the vocabulary is missing, damaged or unsupported.
    public init(file: GGUFFile) throws {
        try self.init(VocabularySource(file: file))
    }
}

extension Tokenizer {
    /// A tokenizer for the vocabulary stored in a GGUF file.
    /// - Throws: `TokenizerError` when the vocabulary is missing, damaged or unsupported.
    public init(file: GGUFFile) throws {
        self.init(vocabulary: try Vocabulary(file: file))
    }
}
