import ApusKernels
import ApusModels
import ApusSampling
import ApusTokenizer
import Foundation

/// Timings of one generation, as llama.cpp reports them.
public struct GenerationStats: Sendable, Codable {
    /// Prompt tokens actually computed (after reusing the cached prefix).
    public var promptTokens = 0
    /// Prompt tokens whose KV came from the cache of an earlier turn.
    public var reusedTokens = 0
    /// Seconds spent on the prompt.
    public var promptSeconds = 0.0
    /// Tokens generated.
    public var generatedTokens = 0
    /// Seconds from the first generated token to the last (so tokens/s counts the tokens after the first).
    public var generationSeconds = 0.0
    /// Seconds from the start until the first generated token was known.
    public var timeToFirstToken = 0.0

    /// Prompt tokens per second.
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    /// Generated tokens per second (after the first).
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(max(generatedTokens - 1, 0)) / generationSeconds : 0
    }
}

/// Runs one conversation on a model: prefill in batches, then sample token by token,
/// streaming text. Keeps its KV cache between calls, so a follow-up prompt that extends
/// the earlier tokens (the next chat turn) only computes the new part.
public final class Generator {
    /// The model.
    public let model: TransformerModel
    /// The model's tokenizer.
    public let tokenizer: Tokenizer
    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var tokens: [Int] = []
    private let cache: PagedKVCache
    private let sequence = 0

    /// A generator with room for `contextLength` tokens.
    public init(model: TransformerModel, tokenizer: Tokenizer, contextLength: Int) {
        self.model = model
        self.tokenizer = tokenizer
        cache = model.makeCache(tokens: min(contextLength, model.contextLength))
    }

    /// Forgets the cached conversation.
    public func reset() {
        tokens = []
        cache.release(sequence: sequence)
    }

    /// Generates up to `maxTokens` tokens after `prompt`, calling `onText` with each text delta.
    ///
    /// The longest prefix `prompt` shares with the cached tokens is reused. `shouldStop` is
    /// polled between tokens (Ctrl-C). Returns the generated ids, why it stopped and timings.
    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters,
                         onText: (String) -> Void, shouldStop: () -> Bool = { false }) throws
        -> (tokens: [Int], finish: FinishReason, stats: GenerationStats) {
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        let sampler = try Sampler(parameters: sampling, vocabularySize: model.hyperparameters.vocabularySize)
        var stats = GenerationStats()
        let start = Date()

        // Reuse the cached prefix; at least the last prompt token is recomputed for its logits.
        var shared = zip(tokens, prompt).prefix { $0 == $1 }.count
        shared = min(shared, prompt.count - 1)
        tokens = Array(tokens.prefix(shared))
        cache.truncate(sequence: sequence, tokens: shared)
        stats.reusedTokens = shared
        let capacity = min(cache.capacityTokens, model.contextLength)
        guard prompt.count < capacity else { throw GenerationError.promptTooLong(tokens: prompt.count, limit: capacity) }
        try cache.reserve(sequence: sequence, tokens: prompt.count)

        var logits: Logits? = nil
        var position = shared
        while position < prompt.count {
            let chunk = Array(prompt[position..<min(prompt.count, position + model.maxBatchTokens)])
            var batch = ForwardBatch()
            batch.append(tokens: chunk, startingAt: position, sequence: sequence,
                         logitsForLast: position + chunk.count == prompt.count)
            logits = try model.forward(batch, cache: cache)
            position += chunk.count
            tokens += chunk
            if shouldStop() { return ([], .cancelled, stats) }
        }
        stats.promptTokens = prompt.count - shared
        stats.promptSeconds = Date().timeIntervalSince(start)

        var generated: [Int] = []
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var finish = FinishReason.length
        var firstTokenTime = Date()
        var current = logits!
        while generated.count < maxTokens {
            let next = sampler.sample(current.row(current.rowCount - 1), history: tokens[...])
            if generated.isEmpty {
                firstTokenTime = Date()
                stats.timeToFirstToken = firstTokenTime.timeIntervalSince(start)
            }
            generated.append(next)
            if tokenizer.vocabulary.endOfGeneration.contains(Int32(next)) { finish = .stop; break }
            onText(detokenizer.append(Int32(next)))
            if generated.count == maxTokens { break }
            if shouldStop() { finish = .cancelled; break }
            guard tokens.count + 1 < capacity else { finish = .contextFull; break }
            try cache.reserve(sequence: sequence, tokens: tokens.count + 1)
            var batch = ForwardBatch()
            batch.append(token: next, position: tokens.count, sequence: sequence, logits: true)
            current = try model.forward(batch, cache: cache)
            tokens.append(next)
        }
        onText(detokenizer.finish())
        stats.generatedTokens = generated.count
        stats.generationSeconds = Date().timeIntervalSince(firstTokenTime)
        return (generated, finish, stats)
    }
}

/// Why a generation could not start.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
    /// No prompt tokens.
    case emptyPrompt
    /// The prompt does not fit the context.
    case promptTooLong(tokens: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyPrompt: return "the prompt is empty"
        case let .promptTooLong(tokens, limit):
            return "the prompt has \(tokens) tokens but the context holds \(limit); use a shorter prompt or a larger --ctx-size"
        }
    }
}
