import Testing
@testable import ApusBench

/// vLLM's `calculate_metrics` on five hand-made requests (three successes, two failures)
/// over a 2-second run; every expected value below is worked out by hand in the comments.
@Suite struct BenchmarkMetricsTests {
    static let outcomes: [RequestOutcome] = [
        // TPOT (0.3 − 0.1) / 3 = 0.0667; chunks at 0.1, 0.15, 0.2, 0.3 (second 0).
        RequestOutcome(success: true, promptTokens: 10, outputTokens: 4, timeToFirstToken: 0.1,
                       interTokenLatencies: [0.05, 0.05, 0.1], latency: 0.3, startTime: 0),
        // One token: no TPOT (counted as 0 for goodput); chunk at 0.8 (second 0).
        RequestOutcome(success: true, promptTokens: 20, outputTokens: 1, timeToFirstToken: 0.3,
                       interTokenLatencies: [], latency: 0.3, startTime: 0.5),
        RequestOutcome(success: false, error: "HTTP 500: boom", promptTokens: 40, startTime: 0.7),
        // TPOT (0.5 − 0.2) / 2 = 0.15; chunks at 1.4, 1.5, 1.7 (second 1).
        RequestOutcome(success: true, promptTokens: 30, outputTokens: 3, timeToFirstToken: 0.2,
                       interTokenLatencies: [0.1, 0.2], latency: 0.5, startTime: 1.2),
        RequestOutcome(success: false, error: "second failure", promptTokens: 40, startTime: 1.5),
    ]

    @Test func countsAndThroughputs() {
        let metrics = BenchmarkMetrics(outcomes: Self.outcomes, duration: 2)
        #expect(metrics.completed == 3)
        #expect(metrics.failed == 2)
        #expect(metrics.firstError == "HTTP 500: boom")
        #expect(metrics.totalInputTokens == 60)  // failed requests' prompts are not counted
        #expect(metrics.totalOutputTokens == 8)
        #expect(metrics.requestThroughput == 1.5)
        #expect(metrics.outputThroughput == 4)
        #expect(metrics.totalTokenThroughput == 34)
        #expect(metrics.requestGoodput == nil)
        #expect(metrics.outputTokensPerSecond == [5, 3])
        #expect(metrics.maxOutputTokensPerSecond == 5)
        #expect(metrics.maxConcurrentRequests == 2)
    }

    @Test func latencyStatistics() {
        let metrics = BenchmarkMetrics(outcomes: Self.outcomes, duration: 2)
        // TTFT [0.1, 0.3, 0.2]: mean 0.2, std √(0.02 / 3), p99 = 0.2 + 0.98 · 0.1.
        #expect(abs(metrics.ttft.mean - 0.2) < 1e-12)
        #expect(abs(metrics.ttft.median - 0.2) < 1e-12)
        #expect(abs(metrics.ttft.standardDeviation - (0.02 / 3).squareRoot()) < 1e-12)
        #expect(abs(metrics.ttft.percentile(99) - 0.298) < 1e-12)
        // TPOT over requests of more than one token only: [0.2 / 3, 0.15].
        #expect(metrics.tpot.count == 2)
        #expect(abs(metrics.tpot.mean - (0.2 / 3 + 0.15) / 2) < 1e-12)
        // ITL: every gap of every request, [0.05, 0.05, 0.1, 0.1, 0.2].
        #expect(metrics.itl.count == 5)
        #expect(abs(metrics.itl.mean - 0.1) < 1e-12)
        #expect(abs(metrics.itl.median - 0.1) < 1e-12)
        // E2EL [0.3, 0.3, 0.5].
        #expect(abs(metrics.e2el.mean - 1.1 / 3) < 1e-12)
        #expect(abs(metrics.e2el.median - 0.3) < 1e-12)
    }

    @Test func goodputCountsRequestsMeetingEverySLO() throws {
        // TTFT ≤ 200 ms and TPOT ≤ 100 ms: only the first (100 ms, 66.7 ms); the second has
        // TTFT 300 ms, the third TPOT 150 ms (its TTFT of exactly 200 ms is within: limits are inclusive).
        let both = try #require(try GoodputSLO(parsing: ["ttft:200", "tpot:100"]))
        let metrics = BenchmarkMetrics(outcomes: Self.outcomes, duration: 2, goodput: both)
        #expect(metrics.goodCompleted == 1)
        #expect(metrics.requestGoodput == 0.5)
        #expect(metrics.goodFraction == 0.2)
        // TPOT alone: the one-token request counts with TPOT 0.
        let tpotOnly = try #require(try GoodputSLO(parsing: ["tpot:100"]))
        #expect(BenchmarkMetrics(outcomes: Self.outcomes, duration: 2, goodput: tpotOnly).goodCompleted == 2)
        // E2EL ≤ 300 ms: the first two.
        let e2el = try #require(try GoodputSLO(parsing: ["e2el:300"]))
        #expect(BenchmarkMetrics(outcomes: Self.outcomes, duration: 2, goodput: e2el).goodCompleted == 2)
    }

    @Test func goodputParsing() throws {
        #expect(try GoodputSLO(parsing: []) == nil)
        #expect(try GoodputSLO(parsing: ["ttft:1000 tpot:100"]) == GoodputSLO(ttftMilliseconds: 1000, tpotMilliseconds: 100))
        #expect(throws: BenchError.invalidGoodput("latency:5")) { try GoodputSLO(parsing: ["latency:5"]) }
        #expect(throws: BenchError.invalidGoodput("ttft")) { try GoodputSLO(parsing: ["ttft"]) }
        #expect(throws: BenchError.invalidGoodput("tpot:-1")) { try GoodputSLO(parsing: ["tpot:-1"]) }
    }
}
