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
        let tokens = try windowTokens(text)
        let windows = min(tokens.count / contextLength, maxWindows ?? .max)
        return try scoreWindows(tokens, windows: windows, progress: progress) { _, logits, target in
            Self.negativeLogProbability(logits, target)
        }
    }

    /// Evaluates `text` like `evaluate` and writes every scored row's log-probabilities to
    /// `path` in llama-perplexity's `--kl-divergence-base` format (`LogitBaseFile`), so that
    /// another build or program can measure its KL divergence from these logits.
    public func writeKLDivergenceBase(_ text: String, to path: String, maxWindows: Int? = nil,
                                      progress: (Result) -> Void = { _ in }) throws -> Result {
        let tokens = try windowTokens(text)
        let windows = min(tokens.count / contextLength, maxWindows ?? .max)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw LogitBaseError.cannotOpen(path: path)
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: LogitBaseFile.header(contextLength: contextLength, vocabularySize: model.hyperparameters.vocabularySize,
                                                          chunks: windows, tokens: tokens[0..<(windows * contextLength)]))
        var pending = Data()
        let result = try scoreWindows(tokens, windows: windows, progress: { running in
            try? handle.write(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            progress(running)
        }) { _, logits, target in
            let (words, nll) = LogitBaseFile.record(logits, target: target)
            words.withUnsafeBytes { pending.append(contentsOf: $0) }
            return nll
        }
        try handle.write(contentsOf: pending)
        return result
    }

    /// Runs the windows stored in `base` (its tokens, its window length, which must be this
    /// evaluator's) and compares every scored row with the base's log-probabilities, as
    /// llama-perplexity's `--kl-divergence` does; `progress` gets the statistics after each window.
    public func compare(with base: LogitBaseFile, maxWindows: Int? = nil,
                        progress: (KLDivergence) -> Void = { _ in }) throws -> KLDivergence {
        let vocabulary = model.hyperparameters.vocabularySize
        guard base.vocabularySize == vocabulary else {
            throw LogitBaseError.vocabularyMismatch(base: base.vocabularySize, model: vocabulary)
        }
        guard base.contextLength == contextLength else {
            throw PerplexityError.contextMismatch(base: base.contextLength, evaluator: contextLength)
        }
        if let bad = base.tokens.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw LogitBaseError.tokenOutOfRange(token: bad, vocabularySize: vocabulary)
        }
        let windows = min(base.chunkCount, maxWindows ?? .max)
        var statistics = KLDivergence()
        var records: [UInt16] = []
        var recordWindow = -1
        _ = try scoreWindows(base.tokens, windows: windows, progress: { _ in progress(statistics) }) { window, logits, target in
            if recordWindow != window {
                records = try base.records(chunk: window)
                recordWindow = window
            }
            let row = statistics.count - window * base.rowsPerChunk
            records.withUnsafeBufferPointer { all in
                statistics.add(logits, base: UnsafeBufferPointer(rebasing: all[(row * base.recordWords)..<((row + 1) * base.recordWords)]),
                               target: target)
            }
            return 0
        }
        return statistics
    }

    /// The text's tokens; throws if they do not fill two windows, as llama-perplexity does.
    func windowTokens(_ text: String) throws -> [Int] {
        let tokens = tokenizer.encode(text, addSpecial: true).map(Int.init)
        guard tokens.count >= 2 * contextLength else {
            throw PerplexityError.textTooShort(tokens: tokens.count, needed: 2 * contextLength)
        }
        return tokens
    }

    /// llama-perplexity's loop: windows `0..<windows` of `tokens` (BOS in the first slot when
    /// the vocabulary adds one), each through the model in batches, with `score(window,
    /// logits, next token)` for the rows of the second half but the last, in order;
    /// `score` returns the row's −log p, summed into the result.
    public func scoreWindows(_ tokens: [Int], windows: Int, progress: (Result) -> Void = { _ in },
                             _ score: (Int, UnsafeBufferPointer<Float>, Int) throws -> Double) throws -> Result {
        guard windows >= 0, tokens.count >= windows * contextLength else {
            throw PerplexityError.textTooShort(tokens: tokens.count, needed: windows * contextLength)
        }
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
                    let nll = try score(window, logits.row(row), tokens[window * contextLength + p + 1])
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
    /// Fewer tokens than two windows.
    case textTooShort(tokens: Int, needed: Int)
    /// A KL-divergence base was written with another window length.
    case contextMismatch(base: Int, evaluator: Int)

    public var description: String {
        switch self {
        case let .textTooShort(tokens, needed):
            return "the text has \(tokens) tokens; perplexity with this context needs at least \(needed) (two windows): use a longer file or a smaller -c"
        case let .contextMismatch(base, evaluator):
            return "the KL-divergence base was written with windows of \(base) tokens, not \(evaluator): run with -c \(base)"
        }
    }
}
