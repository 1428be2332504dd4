/// Runs a `BenchmarkPlan` against a server: warm-up first, then every request at its
/// scheduled time through the concurrency limit, and returns the outcomes in plan order.
public enum BenchmarkRunner {
    /// The outcomes and the wall time of the measured part of a run.
    public struct Run: Sendable {
        /// One outcome per planned request, in plan order.
        public let outcomes: [RequestOutcome]
        /// Seconds from the first request's scheduled send to the last response's end.
        public let duration: Double
    }

    /// Runs `plan` against `client` with `model`.
    /// - Parameter countTokens: counts generated tokens when the server sends no usage.
    /// - Throws: `BenchError.warmupFailed` when every warm-up request failed.
    public static func run(_ plan: BenchmarkPlan, client: OpenAIStreamingClient, model: String,
                           countTokens: (@Sendable (String) -> Int)? = nil) async throws -> Run {
        let schedule = try ArrivalSchedule(count: plan.requests.count, rate: plan.requestRate,
                                           burstiness: plan.burstiness, seed: plan.seed)
        if let limit = plan.maxConcurrency, limit < 1 {
            throw BenchError.invalidOption(name: "--max-concurrency", reason: "must be at least 1, got \(limit)")
        }
        try await warmUp(plan, client: client, model: model)

        let limiter = plan.maxConcurrency.map { ConcurrencyLimiter(limit: $0) }
        let progress = ProgressBar(total: plan.requests.count, enabled: plan.showProgress)
        let origin = MonotonicClock.now()
        var outcomes = Array(repeating: RequestOutcome(), count: plan.requests.count)
        await withTaskGroup(of: (Int, RequestOutcome).self) { group in
            for (index, request) in plan.requests.enumerated() {
                let wait = origin + schedule.offsets[index] - MonotonicClock.now()
                if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
                group.addTask {
                    await limiter?.acquire()
                    let outcome = await client.send(request, model: model, origin: origin, countTokens: countTokens)
                    await limiter?.release()
                    progress.advance()
                    return (index, outcome)
                }
            }
            for await (index, outcome) in group { outcomes[index] = outcome }
        }
        let duration = MonotonicClock.now() - origin
        progress.finish()
        return Run(outcomes: outcomes, duration: duration)
    }

    /// Sends the warm-up requests at once and waits for them, so connection set-up and the
    /// server's first-request costs stay out of the figures.
    private static func warmUp(_ plan: BenchmarkPlan, client: OpenAIStreamingClient, model: String) async throws {
        guard !plan.warmupRequests.isEmpty else { return }
        let origin = MonotonicClock.now()
        let outcomes = await withTaskGroup(of: RequestOutcome.self) { group in
            for request in plan.warmupRequests {
                group.addTask { await client.send(request, model: model, origin: origin) }
            }
            var all: [RequestOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        if !outcomes.contains(where: \.success) {
            throw BenchError.warmupFailed(outcomes.first?.error ?? "no outcome")
        }
    }
}
