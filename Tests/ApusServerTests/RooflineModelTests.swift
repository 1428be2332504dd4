import ApusEngine
import ApusServer
import Testing

/// The idealized runtime behind `apus_timings.roofline_fraction` and its histogram.
@Suite struct RooflineModelTests {
    /// 1 MB of weights per step, 1,000 FLOPs per token, 10 bytes and 4 FLOPs per attended
    /// position; 1 GB/s and 1 MFLOP/s: round numbers to check by hand.
    let model = RooflineModel(weightBytesPerStep: 1e6, weightFLOPsPerToken: 1000, cacheBytesPerPosition: 10,
                              attentionFLOPsPerPosition: 4, bandwidth: 1e9, peakFLOPs: 1e6)

    func usage(prompt: Int, cached: Int = 0, completion: Int, total: Double, queue: Double = 0) -> RequestUsage {
        var usage = RequestUsage()
        usage.promptTokens = prompt
        usage.cachedTokens = cached
        usage.completionTokens = completion
        usage.timings.total = total
        usage.timings.queue = queue
        return usage
    }

    func counters(steps: Int, prompt: Int, hits: Int = 0, generated: Int) -> EngineMetrics {
        var metrics = EngineMetrics()
        metrics.steps = steps
        metrics.promptTokens = prompt
        metrics.prefixCacheHitTokens = hits
        metrics.generationTokens = generated
        return metrics
    }

    @Test func aloneTheRequestPaysEveryStepsWeights() throws {
        // 4 prompt tokens in one step, then 3 decode steps.
        let estimate = try #require(model.estimate(usage(prompt: 4, completion: 3, total: 0.02, queue: 0.01), choices: 1,
                                                   before: EngineMetrics(), after: counters(steps: 4, prompt: 4, generated: 3)))
        // Positions: prefill 1+2+3+4 = 10, decode 5+6+7 = 18.
        let bytes = 4 * 1e6 + 10 * 28
        #expect(abs(estimate.memoryTime - bytes / 1e9) < 1e-12)
        #expect(abs(estimate.computeTime - (7 * 1000 + 4 * 28) / 1e6) < 1e-12)
        #expect(estimate.idealizedTime == max(estimate.memoryTime, estimate.computeTime))
        #expect(abs(estimate.fraction - estimate.idealizedTime / 0.01) < 1e-9)
    }

    @Test func batchedItPaysItsShareOfTheTokens() throws {
        // The same request among others: 8 steps computed 70 tokens, 7 of them its own.
        let alone = try #require(model.estimate(usage(prompt: 4, completion: 3, total: 1), choices: 1,
                                                before: EngineMetrics(), after: counters(steps: 8, prompt: 4, generated: 3)))
        let shared = try #require(model.estimate(usage(prompt: 4, completion: 3, total: 1), choices: 1,
                                                 before: EngineMetrics(), after: counters(steps: 8, prompt: 40, generated: 30)))
        #expect(abs(shared.memoryTime - (8 * 1e6 * 0.1 + 280) / 1e9) < 1e-12)
        #expect(shared.memoryTime < alone.memoryTime)
        #expect(shared.computeTime == alone.computeTime)
    }

    @Test func cachedPromptTokensAreNotComputed() throws {
        let estimate = try #require(model.estimate(usage(prompt: 4, cached: 2, completion: 1, total: 1), choices: 1,
                                                   before: EngineMetrics(), after: counters(steps: 2, prompt: 4, hits: 2, generated: 1)))
        // Computed: prompt tokens 3 and 4 (positions 3 + 4) and one generated token (5).
        #expect(abs(estimate.computeTime - (3 * 1000 + 4 * 12) / 1e6) < 1e-12)
    }

    @Test func noStepsCountedMeansNoEstimate() {
        #expect(model.estimate(usage(prompt: 4, completion: 3, total: 1), choices: 1, before: EngineMetrics(), after: EngineMetrics()) == nil)
    }
}
