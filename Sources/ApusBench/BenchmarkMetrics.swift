/// The figures of a benchmark run, computed from its outcomes exactly as vLLM's
/// `calculate_metrics` does: throughputs over the whole run's duration, TPOT over requests
/// of more than one token, ITL over every gap of every request, goodput against the SLOs.
public struct BenchmarkMetrics: Sendable {
    /// Requests that succeeded.
    public let completed: Int
    /// Requests that failed.
    public let failed: Int
    /// The first failure's message, if any.
    public let firstError: String?
    /// Prompt tokens of the successful requests.
    public let totalInputTokens: Int
    /// Generated tokens of the successful requests.
    public let totalOutputTokens: Int
    /// Successful requests per second.
    public let requestThroughput: Double
    /// Requests meeting every SLO per second (nil without SLOs).
    public let requestGoodput: Double?
    /// Requests meeting every SLO.
    public let goodCompleted: Int
    /// Generated tokens per second.
    public let outputThroughput: Double
    /// Prompt and generated tokens per second.
    public let totalTokenThroughput: Double
    /// The most generated tokens in any one-second window of the run.
    public let maxOutputTokensPerSecond: Double
    /// The most requests in flight in any one-second window.
    public let maxConcurrentRequests: Int
    /// Time to first token, seconds.
    public let ttft: SummaryStatistics
    /// Time per output token, seconds.
    public let tpot: SummaryStatistics
    /// Inter-token latency, seconds.
    public let itl: SummaryStatistics
    /// End-to-end latency, seconds.
    public let e2el: SummaryStatistics
    /// Generated tokens per second, one entry per whole second of the run.
    public let outputTokensPerSecond: [Double]

    /// The metrics of `outcomes` over a run of `duration` seconds.
    public init(outcomes: [RequestOutcome], duration: Double, goodput: GoodputSLO? = nil) {
        let successes = outcomes.filter(\.success)
        completed = successes.count
        failed = outcomes.count - successes.count
        firstError = outcomes.first(where: { !$0.success })?.error
        totalInputTokens = successes.reduce(0) { $0 + $1.promptTokens }
        totalOutputTokens = successes.reduce(0) { $0 + $1.outputTokens }
        let seconds = max(duration, .leastNonzeroMagnitude)
        requestThroughput = Double(completed) / seconds
        goodCompleted = goodput.map { slo in successes.filter { slo.isMet(by: $0) }.count } ?? completed
        requestGoodput = goodput == nil ? nil : Double(goodCompleted) / seconds
        outputThroughput = Double(totalOutputTokens) / seconds
        totalTokenThroughput = Double(totalInputTokens + totalOutputTokens) / seconds
        ttft = SummaryStatistics(successes.map(\.timeToFirstToken))
        tpot = SummaryStatistics(successes.compactMap(\.timePerOutputToken))
        itl = SummaryStatistics(successes.flatMap(\.interTokenLatencies))
        e2el = SummaryStatistics(successes.map(\.latency))

        // Per-second buckets: each content chunk stands for outputTokens / chunks tokens, so
        // servers that send several tokens per chunk are counted right.
        let buckets = max(1, Int(duration.rounded(.up)))
        var tokens = Array(repeating: 0.0, count: buckets)
        var inFlight = Array(repeating: 0, count: buckets)
        for outcome in successes {
            let times = outcome.contentChunkTimes
            let perChunk = Double(outcome.outputTokens) / Double(max(1, times.count))
            for time in times { tokens[min(buckets - 1, max(0, Int(time)))] += perChunk }
            let first = min(buckets - 1, max(0, Int(outcome.startTime)))
            let last = min(buckets - 1, max(first, Int(outcome.startTime + outcome.latency)))
            for second in first...last { inFlight[second] += 1 }
        }
        outputTokensPerSecond = tokens
        maxOutputTokensPerSecond = tokens.max() ?? 0
        maxConcurrentRequests = inFlight.max() ?? 0
    }

    /// Good requests as a fraction of all requests sent (1 without SLOs and no failures).
    public var goodFraction: Double {
        let total = completed + failed
        return total == 0 ? 0 : Double(goodCompleted) / Double(total)
    }
}
