import Foundation
import Testing
@testable import ApusBench

/// The whole path against a real HTTP server on a loopback port that streams at scripted
/// delays: figures must match the script. Arrival times can only be later than the server's
/// send times, so each measured time is at least the scripted one and within a generous
/// allowance above it (the machine may be busy); token counts and failures are exact.
@Suite(.serialized) struct LiveServerTests {
    /// Allowance for scheduling delays on a loaded machine, seconds.
    static let slack = 0.25

    static func script(prompt: String, chat: Bool) -> StreamScript {
        if prompt.hasPrefix("http-fail") { return .failure(status: 503, body: #"{"error":"overloaded"}"#) }
        if prompt.hasPrefix("event-fail") {
            return StreamScript(events: [StreamScript.Event(delayMilliseconds: 10, line: #"data: {"error":{"message":"context full"}}"#)])
        }
        if prompt.hasPrefix("empty") { return .stream(chat: chat, pieces: [], finishDelay: 10, usage: (3, 0)) }
        if prompt.hasPrefix("no-usage") {
            return .stream(chat: chat, pieces: [(20, "a"), (20, "b"), (20, "c")], finishDelay: 0, usage: nil)
        }
        // First content after 150 ms, four more 60 ms apart, finish 40 ms later; 5 tokens by usage.
        return .stream(chat: chat, pieces: [(150, "Hello"), (60, " wide"), (60, " world"), (60, " of"), (60, " tests")],
                       finishDelay: 40, usage: (7, 5))
    }

    func within(_ value: Double, atLeast expected: Double) -> Bool {
        value >= expected - 0.002 && value <= expected + Self.slack
    }

    @Test(arguments: [Endpoint.completions, Endpoint.chat])
    func everyMetricMatchesTheScript(endpoint: Endpoint) async throws {
        let server = ScriptedSSEServer(script: Self.script)
        let outcome = try await server.run { baseURL in
            let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: endpoint, connections: 2, timeoutSeconds: 30)
            let outcome = await client.send(BenchmarkRequest(prompt: "hello", promptTokens: 1, outputTokens: 5), model: "m", origin: 0)
            await client.shutdown()
            return outcome
        }
        #expect(outcome.success, "\(outcome.error ?? "")")
        #expect(outcome.outputTokens == 5)
        #expect(outcome.promptTokens == 7)
        #expect(outcome.generatedText == "Hello wide world of tests")
        // The chat role chunk comes at once but carries no content: TTFT waits for "Hello".
        #expect(within(outcome.timeToFirstToken, atLeast: 0.150))
        #expect(outcome.interTokenLatencies.count == 4)
        // A late chunk shortens the next gap, so single gaps get the allowance both ways; their sum cannot.
        #expect(outcome.interTokenLatencies.allSatisfy { abs($0 - 0.060) <= Self.slack })
        #expect(within(outcome.interTokenLatencies.reduce(0, +), atLeast: 0.240 - (outcome.timeToFirstToken - 0.150)))
        #expect(within(outcome.latency, atLeast: 0.430))
        let tpot = try #require(outcome.timePerOutputToken)
        #expect(abs(tpot - (outcome.latency - outcome.timeToFirstToken) / 4) < 1e-12)
        #expect(tpot >= 0.070 - Self.slack && tpot <= 0.070 + Self.slack)
        let paths = server.counters.withLockedValue { $0.paths }
        #expect(paths == [endpoint.path])
    }

    @Test func failuresAreCountedAndTheFirstErrorKept() async throws {
        let server = ScriptedSSEServer(script: Self.script)
        let prompts = ["ok 1", "http-fail 2", "ok 3", "event-fail 4", "empty 5", "no-usage 6"]
        let run = try await server.run { baseURL in
            let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: .completions, connections: 8, timeoutSeconds: 30)
            let plan = BenchmarkPlan(requests: prompts.map { BenchmarkRequest(prompt: $0, promptTokens: 2, outputTokens: 5) },
                                     maxConcurrency: 3, showProgress: false)
            let run = try await BenchmarkRunner.run(plan, client: client, model: try await client.firstModel())
            await client.shutdown()
            return run
        }
        let metrics = BenchmarkMetrics(outcomes: run.outcomes, duration: run.duration)
        #expect(metrics.completed == 3)
        #expect(metrics.failed == 3)
        #expect(metrics.firstError?.hasPrefix("HTTP 503") == true)
        #expect(run.outcomes[3].error == "error event: context full")
        #expect(run.outcomes[4].error?.contains("without a chunk of generated text") == true)
        // Without a usage chunk the content chunks are counted.
        #expect(run.outcomes[5].success && run.outcomes[5].outputTokens == 3)
        #expect(metrics.totalOutputTokens == 5 + 5 + 3)
        #expect(metrics.totalInputTokens == 7 + 7 + 2)
    }

    @Test func warmupsAreNotCountedAndConcurrencyIsLimited() async throws {
        let server = ScriptedSSEServer(script: Self.script)
        let request = BenchmarkRequest(prompt: "ok", promptTokens: 2, outputTokens: 5)
        let run = try await server.run { baseURL in
            let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: .completions, connections: 8, timeoutSeconds: 30)
            let plan = BenchmarkPlan(requests: Array(repeating: request, count: 6), maxConcurrency: 2,
                                     warmupRequests: [request, request], showProgress: false)
            let run = try await BenchmarkRunner.run(plan, client: client, model: "m")
            await client.shutdown()
            return run
        }
        #expect(run.outcomes.count == 6)
        #expect(run.outcomes.allSatisfy { $0.success })
        let counters = server.counters.withLockedValue { $0 }
        #expect(counters.received == 8)
        // The two warm-ups ran together; afterwards never more than two at once.
        #expect(counters.maxInFlight == 2)
        // Six requests of ≥ 430 ms, two at a time: at least three rounds.
        #expect(run.duration >= 3 * 0.430 - 0.01)
    }

    @Test func failedWarmupStopsTheRun() async throws {
        let server = ScriptedSSEServer(script: Self.script)
        let bad = BenchmarkRequest(prompt: "http-fail", promptTokens: 2, outputTokens: 5)
        await #expect(throws: BenchError.self) {
            try await server.run { baseURL in
                let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: .completions, connections: 2, timeoutSeconds: 30)
                defer { Task { await client.shutdown() } }
                return try await BenchmarkRunner.run(BenchmarkPlan(requests: [bad], warmupRequests: [bad], showProgress: false),
                                                     client: client, model: "m")
            }
        }
    }

    @Test func paceFollowsTheRequestRate() async throws {
        let server = ScriptedSSEServer(script: Self.script)
        let request = BenchmarkRequest(prompt: "no-usage", promptTokens: 2, outputTokens: 3)
        let run = try await server.run { baseURL in
            let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: .completions, connections: 8, timeoutSeconds: 30)
            let plan = BenchmarkPlan(requests: Array(repeating: request, count: 8), requestRate: 10, seed: 5, showProgress: false)
            let run = try await BenchmarkRunner.run(plan, client: client, model: "m")
            await client.shutdown()
            return run
        }
        // Each request is sent no earlier than its scheduled time.
        let schedule = try ArrivalSchedule(count: 8, rate: 10, seed: 5)
        for (outcome, offset) in zip(run.outcomes, schedule.offsets) {
            #expect(outcome.startTime >= offset - 0.002 && outcome.startTime <= offset + Self.slack)
        }
    }
}
