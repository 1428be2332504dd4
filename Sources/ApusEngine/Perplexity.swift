import ApusModels
import ApusTokenizer
import Foundation

/// Perplexity by llama.cpp's `llama-perplexity` method: the text is cut into
/// non-overlapping windows of `contextLength` tokens (the first token of each replaced by
/// BOS when the vocabulary adds one); in each window only the second half is scored, so
/// every scored token sees at least half a window of context.
public struct PerplexityEvaluator {
    /// Running result after some windows.
    public struct Result: Sendable, Codable {
        /// Windows evaluated.
        public var windows = 0
        /// Tokens scored.
        public var scoredTokens = 0
        /// Σ −log p over scored tokens.
        public var negativeLogLikelihood = 0.0
        /// Σ (−log p)² over scored tokens.
        public var squaredNegativeLogLikelihood = 0.0
        /// Seconds spent.
        public var seconds = 0.0

        /// exp(mean NLL).
        public var perplexity: Double { exp(negativeLogLikelihood / Double(max(scoredTokens, 1))) }
        /// Standard error of the estimate, as llama-perplexity prints it.
        public var error: Double {
            let n = Double(scoredTokens)
            guard n > 1 else { return 0 }
            let mean = negativeLogLikelihood / n
            let variance = squaredNegativeLogLikelihood / n - mean * mean
            return variance > 0 ? perplexity * (variance / (n - 1)).squareRoot() : 0
        }
        /// Tokens evaluated per second.
        public func tokensPerSecond(contextLength: Int) -> Double {
            seconds > 0 ? Double(windows * contextLength) / seconds : 0
        }
    }

    /// The model (its `maxLogitRows` must be at least its `maxBatchTokens`).
    public let model: TransformerModel
    /// The tokenizer.
    public let tokenizer: Tokenizer
    /// Window length in tokens.
    public let contextLength: Int

    /// An evaluator with windows of `contextLength` tokens.
    public init(model: TransformerModel, tokenizer: Tokenizer, contextLength: Int) {
        self.model = model
        self.tokenizer = tokenizer
        self.contextLength = contextLength
    }

    /// Evaluates `text` (at most `maxWindows` windows), calling `progress` after each;
    /// throws if the text is shorter than two windows, as llama-perplexity does.
    public func evaluate(_ text: String, maxWindows: Int? = nil, progress: (Result) -> Void = { _ in }) throws -> Result {
        let tokens = tokenizer.encode(text, addSpecial: true).map(Int.init)
        guard tokens.count >= 2 * contextLength else {
            throw PerplexityError.textTooShort(tokens: tokens.count, needed: 2 * contextLength)
        }
        let windows = min(tokens.count / contextLength, maxWindows ?? .max)
        let cache = model.makeCache(tokens: contextLength)
        let first = contextLength / 2
        var result = Result()
        let start = Date()
        for window in 0..<windows {
            var ids = Array(tokens[window * contextLength..<(window + 1) * contextLength])
            if tokenizer.vocabulary.addBOS, let bos = tokenizer.vocabulary.bos { ids[0] = Int(bos) }
            cache.release(sequence: 0)
            try cache.reserve(sequence: 0, tokens: contextLength)
            var position = 0
            while position < contextLength {
                let count = min(model.maxBatchTokens, contextLength - position)
                var batch = ForwardBatch()
                for i in 0..<count {
                    let p = position + i
                    batch.append(token: ids[p], position: p, sequence: 0, logits: p >= first && p < contextLength - 1)
                }
                let logits = try model.forward(batch, cache: cache)
                for row in 0..<logits.rowCount {
                    let p = position + logits.batchRows[row]
                    let target = tokens[window * contextLength + p + 1]
                    let nll = Self.negativeLogProbability(logits.row(row), target)
                    result.negativeLogLikelihood += nll
                    result.squaredNegativeLogLikelihood += nll * nll
                    result.scoredTokens += 1
                }
                position += count
            }
            result.windows += 1
            result.seconds = Date().timeIntervalSince(start)
            progress(result)
        }
        return result
    }

    /// −log softmax(logits)[target], computed in double as llama-perplexity does.
    static func negativeLogProbability(_ logits: UnsafeBufferPointer<Float>, _ target: Int) -> Double {
        var maximum = -Float.infinity
        for value in logits { maximum = max(maximum, value) }
        var sum = 0.0
        for value in logits { sum += exp(Double(value - maximum)) }
        return log(sum) - Double(logits[target] - maximum)
    }
}

/// Why perplexity could not be computed.
public enum PerplexityError: Error, CustomStringConvertible, Equatable {
    /// Fewer tokens than one window.
    case textTooShort(tokens: Int, needed: Int)

    public var description: String {
        switch self {
        case let .textTooShort(tokens, needed):
            return "the text has \(tokens) tokens; perplexity with this context needs at least \(needed) (two windows): use a longer file or a smaller -c"
        }
    }
}
