import ApusSampling
import Foundation

/// Offline throughput, as vLLM's `bench throughput` measures it: a fixed set of requests of
/// random tokens (optionally sharing a prefix) pushed through the engine with at most
/// `concurrency` in flight, every request generating exactly `outputLength` tokens.
public struct ThroughputBenchmark: Sendable {
    /// The workload.
    public struct Workload: Sendable {
        /// Requests in all.
        public var prompts = 64
        /// Prompt tokens per request (including the shared prefix).
        public var inputLength = 128
        /// Generated tokens per request.
        public var outputLength = 128
        /// Requests in flight at most.
        public var concurrency = 16
        /// Leading prompt tokens every request shares.
        public var sharedPrefix = 0
        /// Seed of the random prompts.
        public var seed: UInt64 = 0
        /// If positive: one more request with a prompt this long (and one output token) is
        /// submitted `interferenceDelay` seconds into the run, to measure what its prefill does
        /// to the other streams' inter-token latency.
        public var interferingPromptLength = 0
        /// Seconds after the start at which the interfering prompt arrives.
        public var interferenceDelay = 2.0
        /// Makes each request's output constraint (a compiled grammar), or `nil` for free text.
        /// Constrained requests end where their grammar or `outputLength` ends them; they do not
        /// force `outputLength` tokens, which could contradict the grammar.
        public var constraint: (@Sendable () -> any TokenConstraint)?

        /// The default workload (64 × 128 in / 128 out, 16 at a time).
        public init() {}
    }

    /// One request's timings, in seconds from its submission.
    public struct RequestRecord: Sendable {
        /// Position in submission order (0 is the first request submitted).
        public var index: Int
        /// Time to first token.
        public var ttft: Double
        /// Time to the last token.
        public var latency: Double
        /// Generated tokens.
        public var outputTokens: Int
        /// Gaps between consecutive tokens.
        public var gaps: [Double]
        /// When each token arrived (monotonic seconds).
        public var tokenTimes: [Double]
        /// (latency − TTFT) / (tokens − 1), vLLM's time per output token.
        public var tpot: Double { outputTokens > 1 ? (latency - ttft) / Double(outputTokens - 1) : 0 }
    }

    /// The outcome.
    public struct Result: Sendable {
        /// Wall time of the whole run.
        public var seconds: Double
        /// Every request's record, in completion order.
        public var requests: [RequestRecord]
        /// Prompt tokens in all.
        public var promptTokens: Int
        /// Prompt tokens served from the prefix cache.
        public var cachedTokens: Int
        /// The engine's counters after the run.
        public var metrics: EngineMetrics
        /// When the interfering prompt was submitted and when its token came (its prefill), if any.
        public var interference: (start: Double, end: Double)?

        /// Inter-token gaps of the ordinary requests that ended while the interfering prompt was
        /// being prefilled, and the others.
        public var gapsDuringInterference: (during: [Double], outside: [Double]) {
            var during: [Double] = [], outside: [Double] = []
            for record in requests {
                for (end, gap) in zip(record.tokenTimes.dropFirst(), record.gaps) {
                    if let window = interference, end > window.start, end <= window.end { during.append(gap) }
                    else { outside.append(gap) }
                }
            }
            return (during, outside)
        }

        /// Mean time to first token of every request but the first submitted: with a shared
        /// prefix, the first computes it and the others may find it in the prefix cache.
        public var meanTTFTAfterFirst: Double {
            let later = requests.filter { $0.index > 0 }
            return later.isEmpty ? 0 : later.reduce(0) { $0 + $1.ttft } / Double(later.count)
        }

        /// Aggregate decode rate: concurrency over the mean time per output token, the steady
        /// rate of `concurrency` streams decoding together (llama-batched-bench's decode figure).
        public func decodeThroughput(concurrency: Int) -> Double {
            let tpots = requests.map(\.tpot).filter { $0 > 0 }
            return tpots.isEmpty ? 0 : Double(concurrency) * Double(tpots.count) / tpots.reduce(0, +)
        }

        /// Requests per second.
        public var requestThroughput: Double { Double(requests.count) / seconds }
        /// Generated tokens per second.
        public var outputThroughput: Double { Double(requests.reduce(0) { $0 + $1.outputTokens }) / seconds }
        /// Prompt and generated tokens per second.
        public var totalThroughput: Double { (Double(promptTokens) + Double(requests.reduce(0) { $0 + $1.outputTokens })) / seconds }
    }

    /// The engine under test.
    public let engine: Engine
    /// The workload.
    public let workload: Workload

    /// A benchmark of `workload` on `engine`.
    public init(engine: Engine, workload: Workload) {
        self.engine = engine
        self.workload = workload
    }

    /// The prompts: random ids from the lower part of the vocabulary (ordinary text tokens,
    /// clear of the special tokens most vocabularies keep at the end), the first
    /// `sharedPrefix` equal in all.
    public func prompts() -> [[Int]] {
        var state = workload.seed &+ 0x5EED
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(max(1, min(engine.vocabularySize - 1, 30_000) - 100))) + 100
        }
        let prefix = (0..<min(workload.sharedPrefix, workload.inputLength)).map { _ in next() }
        return (0..<workload.prompts).map { _ in prefix + (0..<(workload.inputLength - prefix.count)).map { _ in next() } }
    }

    /// Runs the workload; `progress(done, total)` is called after each request.
    public func run(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Result {
        let prompts = prompts()
        let output = workload.outputLength
        let start = monotonicSeconds()
        var records: [RequestRecord] = []
        var cached = 0
        let interference = workload.interferingPromptLength > 0 ? Task { () -> (Double, Double)? in
            try? await Task.sleep(for: .seconds(workload.interferenceDelay))
            var request = GenerationRequest(id: "bench-interfering", prompt: Array(prompts[0].prefix(1)) +
                                            (0..<(workload.interferingPromptLength - 1)).map { 200 + $0 % 20_000 })
            request.stop.maxTokens = 1
            let submitted = monotonicSeconds()
            guard let stream = try? engine.submit(request) else { return nil }
            var first: Double?
            for await event in stream { if case .delta = event, first == nil { first = monotonicSeconds() } }
            return first.map { (submitted, $0) }
        } : nil
        try await withThrowingTaskGroup(of: (RequestRecord, Int).self) { group in
            var next = 0
            func submit() throws {
                var request = GenerationRequest(id: "bench-\(next)", prompt: prompts[next])
                request.stop.maxTokens = output
                if let constraint = workload.constraint {
                    request.constraint = constraint
                } else {
                    request.stop.minTokens = output
                    request.stop.ignoreEndOfGeneration = true
                }
                let stream = try engine.submit(request)
                let submitted = monotonicSeconds()
                let index = next
                group.addTask { try await Self.record(stream, index: index, submitted: submitted) }
                next += 1
            }
            while next < min(workload.concurrency, prompts.count) { try submit() }
            for try await (record, hits) in group {
                records.append(record)
                cached += hits
                progress(records.count, prompts.count)
                if next < prompts.count { try submit() }
            }
        }
        let window = await interference?.value
        return Result(seconds: monotonicSeconds() - start, requests: records,
                      promptTokens: prompts.reduce(0) { $0 + $1.count }, cachedTokens: cached, metrics: engine.metrics(),
                      interference: window.flatMap { $0 })
    }

    private static func record(_ stream: AsyncStream<GenerationEvent>, index: Int, submitted: Double) async throws -> (RequestRecord, Int) {
        var times: [Double] = []
        var tokenCount = 0
        var usage = RequestUsage()
        for await event in stream {
            switch event {
            case let .delta(_, _, tokens, _):
                // A delta carries several tokens when jump-forward appended forced text.
                if !tokens.isEmpty { times.append(monotonicSeconds()) }
                tokenCount += tokens.count
            case let .finished(_, reason, _):
                if reason == .error || reason == .cancelled { throw BenchmarkError.requestFailed(reason.rawValue) }
            case let .completed(final): usage = final
            }
        }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        return (RequestRecord(index: index, ttft: (times.first ?? submitted) - submitted, latency: (times.last ?? submitted) - submitted,
                              outputTokens: tokenCount, gaps: gaps, tokenTimes: times), usage.cachedTokens)
    }
}

/// A benchmark that could not complete.
public enum BenchmarkError: Error, CustomStringConvertible {
    /// A request ended with an error or was cancelled.
    case requestFailed(String)

    public var description: String {
        switch self {
        case let .requestFailed(reason): return "a benchmark request ended with '\(reason)'"
        }
    }
}
