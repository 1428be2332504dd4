/// Random prompt text of a given token length: common English words drawn from a seeded
/// generator, made to measure with the dataset's tokenizer (grown a word at a time while
/// short, then cut at the target).
public enum RandomText {
    /// Text of `tokens` tokens by `tokenizer` (fewer only if the tokenizer cannot cut finer).
    public static func make(tokens: Int, tokenizer: any PromptTokenizer, generator: inout SeededGenerator) -> String {
        guard tokens > 0 else { return "" }
        var words: [Substring] = []
        words.reserveCapacity(tokens + 8)
        for _ in 0..<tokens { words.append(randomWord(&generator)) }
        var text = words.joined(separator: " ")
        // A word is one token on most vocabularies; add more where some split in two or the
        // vocabulary merges none, with a bound so an odd tokenizer cannot loop forever.
        var rounds = 0
        while tokenizer.count(text) < tokens, rounds < 8 {
            let missing = tokens - tokenizer.count(text)
            for _ in 0..<missing { text += " " + randomWord(&generator) }
            rounds += 1
        }
        return tokenizer.truncate(text, toTokens: tokens)
    }

    private static func randomWord(_ generator: inout SeededGenerator) -> Substring {
        words[Int(generator.next() % UInt64(words.count))]
    }

    /// Short, frequent English words, each one token with its leading space in the GPT-2,
    /// Llama 3, Qwen2 and SmolLM vocabularies.
    static let words: [Substring] = """
        the of and to in is was for that on as with by he at from his it an were are which this be \
        had not or has but have first one their its new after who they two her she been other when \
        there all during into school time may years more most only over city some world would where \
        later up such used many can state about national out known university united then made \
        team three between high part well south several north since film both under also while \
        year age group second game people house each area life work number water long place \
        music small family four great way large day form name home early world party line side \
        war book west east main album left power little five end city open good young music \
        point back river church road field public black white light night red blue green hand \
        head land sea love story best last next old free real head set run play show come find \
        take make give tell call keep turn move live hold bring write stand learn change lead \
        build grow walk win send fall cut reach kill raise pass sell decide return explain hope
        """.split(separator: " ")
}
