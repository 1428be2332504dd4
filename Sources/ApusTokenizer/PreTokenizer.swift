/// How byte-level BPE cuts text into words before merging: a named list of split rules,
/// applied in order, each re-splitting every piece the previous rules produced.
///
/// The table below is data, one row per `tokenizer.ggml.pre` family, following llama.cpp's
/// pre-tokenizer regexes (llama-vocab.cpp); each rule is a hand-written scanner equal to
/// the regex it names. Families whose regexes need a general regex engine ("default",
/// deepseek-llm, deepseek-coder, falcon) are not in the table yet.
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

    private static let table: [Row] = [
        Row(["llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"],
            [.llama3], ignoreMerges: true, addBOS: true),
        Row(["dbrx", "smaug-bpe"], [.llama3]),
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
