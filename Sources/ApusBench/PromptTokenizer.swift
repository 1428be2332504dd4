/// Counts and cuts prompt text in tokens, so datasets hit a target length. The `apus` command
/// passes the model's own tokenizer (`--tokenizer MODEL`); without one, `WordTokenizer`
/// approximates.
public protocol PromptTokenizer: Sendable {
    /// Tokens in `text`, without special tokens.
    func count(_ text: String) -> Int
    /// The longest leading part of `text` of at most `tokens` tokens.
    func truncate(_ text: String, toTokens tokens: Int) -> String
}

/// One token per whitespace-separated word: exact for the prompts `RandomText` builds from
/// its word list on the common byte-level BPE vocabularies (each word with its leading space
/// is one token), roughly 0.75 of the true count for ordinary English.
public struct WordTokenizer: PromptTokenizer {
    /// The approximation.
    public init() {}

    /// Whitespace-separated words in `text`.
    public func count(_ text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count
    }

    /// The first `tokens` words of `text`, joined by single spaces.
    public func truncate(_ text: String, toTokens tokens: Int) -> String {
        text.split(whereSeparator: \.isWhitespace).prefix(max(0, tokens)).joined(separator: " ")
    }
}
