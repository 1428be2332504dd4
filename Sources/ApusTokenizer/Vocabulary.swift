/// An immutable tokenizer vocabulary: token texts, scores, attributes, BPE merge ranks,
/// special ids, flags and the pre-tokenizer, resolved exactly as llama.cpp resolves them.
///
/// Sendable and shared: all per-call scratch state lives in the encoders, not here.
public struct Vocabulary: Sendable {
    /// The tokenization algorithm.
    public enum Model: Sendable, Equatable {
        /// Byte-level BPE (`gpt2`): pre-tokenize, map bytes to GPT-2's alphabet, merge by rank.
        case bytePairEncoding
        /// SentencePiece (`llama`): spaces become `▁`, merge by score, byte fallback `<0xXX>`.
        case sentencePiece
    }

    /// The tokenization algorithm.
    public let model: Model
    /// The pre-tokenizer (only used by byte-level BPE).
    public let preTokenizer: PreTokenizer
    /// Number of tokens.
    public var count: Int { texts.count }
    /// SentencePiece scores, one per token (zeros when the file has none).
    public let scores: [Float]
    /// Attributes, one per token.
    public let attributes: [TokenAttributes]
    /// Beginning-of-sequence token.
    public let bos: Int32?
    /// End-of-sequence token.
    public let eos: Int32?
    /// End-of-turn token (`<|im_end|>`, `<end_of_turn>`, ...).
    public let eot: Int32?
    /// Unknown-text token.
    public let unknown: Int32?
    /// Padding token.
    public let padding: Int32?
    /// Every token that ends generation.
    public let endOfGeneration: Set<Int32>
    /// Whether `encode(addSpecial: true)` prepends BOS.
    public let addBOS: Bool
    /// Whether `encode(addSpecial: true)` appends EOS.
    public let addEOS: Bool
    /// SentencePiece: whether a space is put before text that starts the input or follows a special token.
    public let addSpacePrefix: Bool
    /// BPE: use a whole pre-token when it is itself a token, skipping merges (Llama 3).
    public let ignoreMerges: Bool
    /// Detokenizing removes the space before `?!.,` and some apostrophes (HF's clean-up).
    public let cleanSpaces: Bool

    let texts: TokenTextTable
    /// The pre-tokenizer's rules, compiled.
    let splitRules: [CompiledRule]
    let merges: MergeTable
    /// Tokens matched in raw text before splitting, longest text first.
    let specialTokensByPriority: [Int32]
    /// Finds special-token text in raw input.
    let specialSplitter: SpecialTokenSplitter
    /// Token id of each byte: `<0xXX>` (SentencePiece) or the byte's GPT-2 character (BPE); -1 if absent.
    let byteTokens: [Int32]

    /// Builds the vocabulary, applying llama.cpp's defaults and fixes for missing metadata.
    /// - Throws: `TokenizerError` for unsupported models, pre-tokenizers or inconsistent arrays.
    public init(_ source: VocabularySource) throws {
        let count = source.tokens.count
        switch source.model {
        case "gpt2": model = .bytePairEncoding
        case "llama": model = .sentencePiece
        default: throw TokenizerError.unsupportedModel(source.model)
        }
        if let scores = source.scores, scores.count < count {
            throw TokenizerError.lengthMismatch(key: "tokenizer.ggml.scores", expected: count, found: scores.count)
        }
        if let types = source.tokenTypes, types.count < count {
            throw TokenizerError.lengthMismatch(key: "tokenizer.ggml.token_type", expected: count, found: types.count)
        }

        var textBytes: [[UInt8]] = []
        textBytes.reserveCapacity(count)
        for (index, token) in source.tokens.enumerated() {
            // llama.cpp renames empty tokens so that no token has empty text.
            textBytes.append(token.isEmpty ? Array("[EMPTY_\(index)]".utf8) : Array(token.utf8))
        }
        texts = TokenTextTable(texts: textBytes)
        scores = source.scores.map { Array($0.prefix(count)) } ?? [Float](repeating: 0, count: count)

        var defaultBOS: Int32?, defaultEOS: Int32?, defaultUnknown: Int32?
        switch model {
        case .sentencePiece:
            preTokenizer = PreTokenizer.sentencePiece
            splitRules = []
            defaultBOS = 1; defaultEOS = 2; defaultUnknown = 0
            addSpacePrefix = source.addSpacePrefix ?? true
            addBOS = source.addBOS ?? true
            ignoreMerges = false
            cleanSpaces = false
            merges = MergeTable(texts: texts, merges: [])
        case .bytePairEncoding:
            let name = source.preTokenizer ?? "default"
            guard let pre = PreTokenizer.named(name) else { throw TokenizerError.unsupportedPreTokenizer(name) }
            preTokenizer = pre
            splitRules = try pre.compiled()
            defaultBOS = 11; defaultEOS = 11
            addSpacePrefix = source.addSpacePrefix ?? false
            addBOS = source.addBOS ?? pre.addsBOSByDefault
            ignoreMerges = pre.ignoresMerges
            cleanSpaces = pre.cleansSpaces
            guard let mergeList = source.merges else { throw TokenizerError.missingKey("tokenizer.ggml.merges") }
            merges = MergeTable(texts: texts, merges: mergeList)
        }
        addEOS = source.addEOS ?? false

        // llama.cpp keeps the default when a file's id is missing or out of range.
        func resolve(_ value: Int?, _ fallback: Int32?) -> Int32? {
            if let value, value >= 0 && value < count { return Int32(value) }
            return fallback.flatMap { $0 < count ? $0 : nil }
        }
        bos = resolve(source.bosID, defaultBOS)
        eos = resolve(source.eosID, defaultEOS)
        unknown = resolve(source.unknownID, defaultUnknown)
        padding = resolve(source.paddingID, nil)

        var attributes = (0..<count).map { index in
            source.tokenTypes.map { TokenAttributes(ggufTokenType: $0[index]) } ?? .normal
        }
        // Without an explicit id, the end-of-turn token is the first of these texts present
        // (llama.cpp takes whichever its hash map yields first; this order is deterministic).
        var eotCandidate: Int32?
        var eotRank = Int.max
        var endOfGeneration = Set<Int32>()
        // llama.cpp recognises end-of-turn and fill-in-the-middle tokens by their text and
        // forces them to be control tokens, which changes how raw text containing them splits.
        for id in 0..<Int32(count) {
            let text = textBytes[Int(id)]
            if Vocabulary.endOfGenerationTexts.contains(text) {
                attributes[Int(id)].insert(.control)
                endOfGeneration.insert(id)
                if let rank = Vocabulary.endOfTurnTexts.firstIndex(of: text), rank < eotRank {
                    eotCandidate = id
                    eotRank = rank
                }
            } else if Vocabulary.fillInMiddleTexts.contains(text) {
                attributes[Int(id)].insert(.control)
                // FIM pad, repo and file-separator tokens also end generation in llama.cpp.
                if Vocabulary.fillInMiddleEndTexts.contains(text) { endOfGeneration.insert(id) }
            }
        }
        let eot = resolve(source.eotID, nil) ?? eotCandidate
        for id in [eos, eot].compactMap({ $0 }) { endOfGeneration.insert(id) }
        self.eot = eot
        self.endOfGeneration = endOfGeneration

        var special = (0..<Int32(count)).filter { !attributes[Int($0)].isDisjoint(with: [.control, .userDefined, .unknown]) }
        if let name = source.modelName?.lowercased(), name.contains("phi-3") || name.contains("phi3") {
            for id in special { attributes[Int(id)].insert(.rightStrip) }
            for (text, strip) in [("</s>", true), ("<unk>", false), ("<s>", false), ("<|endoftext|>", false)] {
                let id = texts.id(of: Array(text.utf8))
                if id >= 0 {
                    if strip { attributes[Int(id)].insert(.rightStrip) } else { attributes[Int(id)].remove(.rightStrip) }
                }
            }
        }
        let textLength = { (id: Int32) in textBytes[Int(id)].count }
        special.sort { textLength($0) != textLength($1) ? textLength($0) > textLength($1) : $0 < $1 }
        specialTokensByPriority = special
        specialSplitter = SpecialTokenSplitter(texts: texts, tokens: special)
        self.attributes = attributes

        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            switch model {
            case .sentencePiece:
                let hex = String(byte, radix: 16, uppercase: true)
                var id = texts.id(of: Array("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8))
                if id < 0 { id = texts.id(of: [UInt8(byte)]) }
                byteTokens[byte] = id
            case .bytePairEncoding:
                byteTokens[byte] = texts.id(of: ByteLevelAlphabet.utf8OfByte[byte])
            }
        }
        self.byteTokens = byteTokens
    }

    /// The text of token `id` as stored in the vocabulary (`Ġ`/`▁` markers included).
    public func text(of id: Int32) -> String {
        guard id >= 0 && Int(id) < count else { return "" }
        return String(decoding: texts.text(of: id), as: UTF8.self)
    }

    /// The id of the token whose stored text is exactly `text`, or nil.
    public func id(of text: String) -> Int32? {
        let id = texts.id(of: Array(text.utf8))
        return id >= 0 ? id : nil
    }

    /// Whether `id` is a control or unknown token (hidden when detokenizing without specials).
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0 && Int(id) < count else { return false }
        return !attributes[Int(id)].isDisjoint(with: [.control, .unknown])
    }

    static let endOfTurnTexts: [[UInt8]] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ].map { Array($0.utf8) }

    static let endOfGenerationTexts: Set<[UInt8]> = Set([
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ].map { Array($0.utf8) })

    static let fillInMiddleEndTexts: Set<[UInt8]> = Set([
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", "<|fim_repo|>", "<|repo_name|>",
        "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>",
    ].map { Array($0.utf8) })

    static let fillInMiddleTexts: Set<[UInt8]> = Set([
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|code_prefix|>", "<|prefix|>", "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
        "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>", "<|fim_middle|>",
        "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>",
        "<|middle|>", "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", "<|fim_repo|>",
        "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>",
    ].map { Array($0.utf8) })
}
