import ApusModels
import Foundation

/// llama-bench's two measurements on a loaded model: prompt processing (`pp`: n tokens in
/// batches into an empty cache) and text generation (`tg`: n tokens one at a time after
/// an optional prefilled depth), repeated, with mean and standard deviation in tokens/s.
public struct ModelBenchmark {
    /// One test's result.
    public struct Result: Sendable, Codable {
        /// `pp512`, `tg128`, `tg128@d4096`, …
        public let name: String
        /// Tokens per run.
        public let tokens: Int
        /// Tokens per second of each repetition.
        public let samples: [Double]
        /// Mean tokens per second.
        public var mean: Double { samples.reduce(0, +) / Double(max(samples.count, 1)) }
        /// Median tokens per second.
        public var median: Double {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        /// Standard deviation of the samples.
        public var standardDeviation: Double {
            guard samples.count > 1 else { return 0 }
            let m = mean
            return (samples.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(samples.count - 1)).squareRoot()
        }
    }

    /// The model under test.
    public let model: TransformerModel

    /// A benchmark of `model`.
    public init(model: TransformerModel) { self.model = model }

    /// Token ids to feed: spread over the vocabulary, deterministic (the content does not
    /// change the work a dense transformer does).
    func tokens(_ count: Int, offset: Int = 0) -> [Int] {
        let vocabulary = model.hyperparameters.vocabularySize
        return (0..<count).map { (($0 + offset) * 7919 + 13) % vocabulary }
    }

    /// Prompt processing: `tokens` tokens in batches of `model.maxBatchTokens`, logits for the
    /// last, after `depth` tokens already in the cache (fed before the clock starts, as
    /// llama-bench's `-d` does).
    public func promptProcessing(tokens count: Int, depth: Int = 0, repetitions: Int) throws -> Result {
        let cache = model.makeCache(tokens: depth + count)
        var samples: [Double] = []
        for _ in 0..<repetitions + 1 {  // the first run warms caches and page-ins; not counted
            cache.release(sequence: 0)
            try cache.reserve(sequence: 0, tokens: depth + count)
            try feed(tokens(depth), from: 0, logitsForLast: false, cache: cache)
            let start = Date()
            try feed(tokens(count, offset: depth), from: depth, logitsForLast: true, cache: cache)
            samples.append(Double(count) / Date().timeIntervalSince(start))
        }
        let name = depth > 0 ? "pp\(count) @ d\(depth)" : "pp\(count)"
        return Result(name: name, tokens: count, samples: Array(samples.dropFirst()))
    }

    /// Feeds `ids` to sequence 0 at positions `start…` in batches of `model.maxBatchTokens`.
    private func feed(_ ids: [Int], from start: Int, logitsForLast: Bool, cache: PagedKVCache) throws {
        var position = 0
        while position < ids.count {
            let chunk = Array(ids[position..<min(ids.count, position + model.maxBatchTokens)])
            var batch = ForwardBatch()
            batch.append(tokens: chunk, startingAt: start + position, sequence: 0,
                         logitsForLast: logitsForLast && position + chunk.count == ids.count)
            _ = try model.forward(batch, cache: cache)
            position += chunk.count
        }
    }

    /// Text generation: `tokens` single-token steps after `depth` tokens already in the cache.
    public func generation(tokens count: Int, depth: Int = 0, repetitions: Int) throws -> Result {
        let cache = model.makeCache(tokens: depth + count + 1)
        var samples: [Double] = []
        for _ in 0..<repetitions + 1 {
            cache.release(sequence: 0)
            try cache.reserve(sequence: 0, tokens: depth + count + 1)
            try feed(tokens(depth), from: 0, logitsForLast: false, cache: cache)
            var token = tokens(1, offset: depth)[0]
            let start = Date()
            for step in 0..<count {
                var batch = ForwardBatch()
                batch.append(token: token, position: depth + step, sequence: 0, logits: true)
                token = try model.forward(batch, cache: cache).argmax(0)
            }
            samples.append(Double(count) / Date().timeIntervalSince(start))
        }
        let name = depth > 0 ? "tg\(count) @ d\(depth)" : "tg\(count)"
        return Result(name: name, tokens: count, samples: Array(samples.dropFirst()))
    }
}
