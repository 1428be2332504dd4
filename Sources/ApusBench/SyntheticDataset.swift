/// The `random` and `shared-prefix` datasets (vLLM's random dataset with its
/// `--random-prefix-len`): every prompt is a shared prefix of `prefixTokens` tokens followed
/// by random text; lengths are drawn uniformly within `rangeRatio` of the targets.
public struct SyntheticDataset: Sendable {
    /// Unique prompt tokens per request (before the range ratio).
    public var inputTokens: Int
    /// Output tokens per request (before the range ratio).
    public var outputTokens: Int
    /// Lengths are drawn from [len·(1 − r), len·(1 + r)]; 0 makes every request the same.
    public var rangeRatio: Double
    /// Tokens of the prefix every prompt shares (0 for none).
    public var prefixTokens: Int

    /// A dataset description; `requests(count:seed:tokenizer:)` makes its prompts.
    public init(inputTokens: Int, outputTokens: Int, rangeRatio: Double = 0, prefixTokens: Int = 0) throws {
        guard inputTokens >= 1 else { throw BenchError.invalidOption(name: "--input-len", reason: "must be at least 1") }
        guard outputTokens >= 1 else { throw BenchError.invalidOption(name: "--output-len", reason: "must be at least 1") }
        guard (0..<1).contains(rangeRatio) else {
            throw BenchError.invalidOption(name: "--range-ratio", reason: "must be in [0, 1), got \(rangeRatio)")
        }
        guard prefixTokens >= 0 else { throw BenchError.invalidOption(name: "--prefix-len", reason: "must not be negative") }
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.rangeRatio = rangeRatio
        self.prefixTokens = prefixTokens
    }

    /// `count` requests, the same for the same seed and tokenizer.
    public func requests(count: Int, seed: UInt64, tokenizer: any PromptTokenizer) -> [BenchmarkRequest] {
        var generator = SeededGenerator(seed: seed)
        let prefix = RandomText.make(tokens: prefixTokens, tokenizer: tokenizer, generator: &generator)
        return (0..<max(0, count)).map { _ in
            let input = drawLength(around: inputTokens, &generator)
            let output = drawLength(around: outputTokens, &generator)
            let unique = RandomText.make(tokens: input, tokenizer: tokenizer, generator: &generator)
            let prompt = prefix.isEmpty ? unique : prefix + " " + unique
            return BenchmarkRequest(prompt: prompt, promptTokens: prefixTokens + input, outputTokens: output)
        }
    }

    /// A length uniform in [⌊len·(1 − r)⌋, ⌊len·(1 + r)⌋], at least 1 (vLLM's `randint` bounds).
    private func drawLength(around length: Int, _ generator: inout SeededGenerator) -> Int {
        let low = max(1, Int(Double(length) * (1 - rangeRatio)))
        let high = max(low, Int(Double(length) * (1 + rangeRatio)))
        return low + Int(generator.next() % UInt64(high - low + 1))
    }
}
