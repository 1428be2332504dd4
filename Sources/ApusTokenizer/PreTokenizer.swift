/// How byte-level BPE cuts text into words before merging: a named list of split rules,
/// applied in order, each re-splitting every piece the previous rules produced.
///
/// The table below is data, one row per `tokenizer.ggml.pre` family, following llama.cpp's
/// pre-tokenizer regexes (llama-vocab.cpp). Where llama.cpp has a hand-written scanner
/// (GPT-2, Llama 3, Qwen2) so does Apus; the remaining regexes run through `SplitPattern`,
/// which reproduces llama.cpp's std::regex behaviour for them.
public struct PreTokenizer: Sendable {
    /// One splitting step.
    public enum Rule: Sendable, Equatable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (GPT-2).
        case gpt2
        /// Llama 3: case-insensitive contractions, `[^\r\n\p{L}\p{N}]?\p{L}+`, `\p{N}{1,3}`, ...
        case llama3
        /// Qwen2: as Llama 3 but single digits.
        case qwen2
        /// Qwen3.5: as Qwen2 but letters runs include combining marks.
        case qwen35
        /// `\p{N}`: every number character on its own.
        case eachNumber
        /// Any other regex, in the dialect `SplitPattern` accepts.
        case pattern(String)
    }

    /// The canonical name (first alias).
    public let name: String
    /// The rules, applied in order.
    public let rules: [Rule]
    /// Whether detokenizing applies HF's space clean-up for this family.
    public let cleansSpaces: Bool
    /// Whether a whole word that is a token skips merging (Llama 3 family).
    public let ignoresMerges: Bool
    /// Whether BOS is added when the file does not say.
    public let addsBOSByDefault: Bool

    /// The pre-tokenizer with this `tokenizer.ggml.pre` name, if supported.
    public static func named(_ name: String) -> PreTokenizer? {
        let key = name.isEmpty ? "default" : name
        return table.first { $0.aliases.contains(key) }?.preTokenizer
    }

    /// Stand-in for SentencePiece vocabularies, which do not pre-tokenize.
    static let sentencePiece = PreTokenizer(name: "none", rules: [], cleansSpaces: false, ignoresMerges: false, addsBOSByDefault: true)

    private struct Row {
        let aliases: [String]
        let preTokenizer: PreTokenizer
        init(_ aliases: [String], _ rules: [Rule], clean: Bool = true, ignoreMerges: Bool = false, addBOS: Bool = false) {
            self.aliases = aliases
            preTokenizer = PreTokenizer(name: aliases[0], rules: rules, cleansSpaces: clean, ignoresMerges: ignoreMerges, addsBOSByDefault: addBOS)
        }
    }

    private static let gpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"

    /// The rules ready to run; patterns are parsed here.
    /// - Throws: `TokenizerError.invalidPattern` if a pattern is outside `SplitPattern`'s dialect.
    func compiled() throws -> [CompiledRule] {
        try rules.map { rule in
            switch rule {
            case .gpt2: return .gpt2
            case .llama3: return .llama3
            case .qwen2: return .qwen2
            case .qwen35: return .qwen35
            case .eachNumber: return .eachNumber
            case .pattern(let source): return .pattern(try SplitPattern(source))
            }
        }
    }

    private static let table: [Row] = [
        Row(["default"], [.pattern("[\\p{P}\\$\\+<=>\\^~\\|]+"), .gpt2, .pattern("\\p{N}+"), .pattern("[0-9][0-9][0-9]")]),
        Row(["llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"],
            [.llama3], ignoreMerges: true, addBOS: true),
        Row(["dbrx", "smaug-bpe"], [.llama3]),
        Row(["deepseek-llm"], [
            .pattern("[\r\n]"),
            .pattern("\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u{1F7D}ᾀ-ᾴᾶ-ᾼ\u{1FBE}ῂ-ῄῆ-ῌῐ-\u{1FD3}ῖ-\u{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u{2126}ℨ\u{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+"),
            .pattern("\\s?[!-/:-~！-／：-～‘-‟　-。]+"),
            .pattern("\\s+$"),
            .pattern("[一-龥ࠀ-一가-퟿]+"),
            .pattern("\\p{N}+"),
        ], clean: false),
        Row(["deepseek-coder"], [
            .pattern("[\r\n]"), .pattern("\\s?\\p{L}+"), .pattern("\\s?\\p{P}+"),
            .pattern("[一-龥ࠀ-一가-퟿]+"), .pattern("\\p{N}"),
        ], clean: false),
        Row(["falcon"], [.pattern("[\\p{P}\\$\\+<=>\\^~\\|`]+"), .gpt2, .pattern("[0-9][0-9][0-9]")]),
        Row(["gpt-2", "mpt", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
             "mellum", "modern-bert", "olmo", "jais", "exaone4"], [.gpt2]),
        Row(["trillion", "granite-docling"], [.gpt2], clean: false),
        Row(["starcoder", "refact", "codeshell", "exaone"], [.eachNumber, .gpt2]),
        Row(["command-r", "smollm", "mellum2", "minerva-7b"], [.eachNumber, .gpt2], clean: false),
        Row(["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"], [.qwen2], clean: false),
        Row(["stablelm2"], [.qwen2]),
        Row(["qwen35"], [.qwen35], clean: false),
    ]
}

/// A pre-tokenizer rule ready to run.
enum CompiledRule: Sendable {
    case gpt2, llama3, qwen2, qwen35, eachNumber
    case pattern(SplitPattern)
}
