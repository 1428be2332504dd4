import ApusEngine
import ApusSampling

/// Running requests through a real engine from tests.
enum EngineTestSupport {
    /// A finished choice: its tokens, text, finish reason and the request's usage.
    struct Completion: Sendable {
        var tokens: [Int] = []
        var text = ""
        var finish: FinishReason?
        var stopString: String?
        var usage = RequestUsage()
        var logprobs: [TokenLogprob] = []
    }

    /// Runs one request of one choice to the end on the calling thread.
    static func complete(_ engine: Engine, prompt: [Int], maxTokens: Int, sampling: SamplingParameters = .greedy,
                         id: String = "test", configure: (inout GenerationRequest) -> Void = { _ in }) throws -> Completion {
        var request = GenerationRequest(id: id, prompt: prompt, sampling: sampling)
        request.stop.maxTokens = maxTokens
        configure(&request)
        var result = Completion()
        try engine.run(request) { event in
            switch event {
            case let .delta(_, text, tokens, logprobs):
                result.tokens += tokens
                result.text += text
                result.logprobs += logprobs
            case let .finished(_, reason, stop):
                result.finish = reason
                result.stopString = stop
            case let .completed(usage): result.usage = usage
            }
        }
        return result
    }

    /// Submits `request` and collects every choice's output from its stream.
    static func collect(_ engine: Engine, _ request: GenerationRequest) async throws -> [Completion] {
        var results = Array(repeating: Completion(), count: request.n)
        var usage = RequestUsage()
        for await event in try engine.submit(request) {
            switch event {
            case let .delta(choice, text, tokens, logprobs):
                results[choice].tokens += tokens
                results[choice].text += text
                results[choice].logprobs += logprobs
            case let .finished(choice, reason, stop):
                results[choice].finish = reason
                results[choice].stopString = stop
            case let .completed(final): usage = final
            }
        }
        for i in results.indices { results[i].usage = usage }
        return results
    }
}
