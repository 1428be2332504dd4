import ApusEngine
import ApusTokenizer
import Foundation
import Hummingbird

extension APIServer {
    /// `POST /v1/completions`: one or more prompts, `n` choices each (choice index = prompt × n + choice).
    func completions(_ request: Request, context: ServerContext) async throws -> Response {
        let started = ContinuousClock.now
        let service = try slot.ready()
        let (body, ordered) = try await decodeKeepingOrder(CompletionRequest.self, from: request)
        var plan = try GenerationPlan(body.sampling, maxTokens: body.sampling.maxTokens, maxTokensParam: "max_tokens",
                                      vocabularySize: service.vocabularySize, configuration: configuration)
        if let logprobs = body.logprobs {
            guard logprobs >= 0, logprobs <= 20 else { throw APIError.invalid("logprobs must be between 0 and 20, got \(logprobs)", param: "logprobs") }
            plan.logprobs = logprobs
        }
        if let suffix = body.suffix, !suffix.isEmpty {
            throw APIError.invalid("suffix (fill-in-the-middle) is not supported", param: "suffix", code: "unsupported_value")
        }
        if let bestOf = body.bestOf, bestOf != plan.n {
            throw APIError.invalid("best_of must equal n (\(plan.n)): server-side best-of is not supported", param: "best_of",
                                   code: "unsupported_value")
        }
        let echo = body.echo ?? false
        if echo, plan.logprobs != nil {
            throw APIError.invalid("echo with logprobs (prompt log-probabilities) is not supported", param: "echo", code: "unsupported_value")
        }
        let prompts = try PromptTokens.completion(body.prompt, tokenizer: service.tokenizer, vocabularySize: service.vocabularySize,
                                                  maxPrompts: configuration.maxPrompts)
        for (index, prompt) in prompts.enumerated() {
            try checkLength(prompt.tokens.count, service: service, param: prompts.count > 1 ? "prompt[\(index)]" : "prompt")
        }
        let id = Self.makeID("cmpl-")
        let constraint = try constraintFactory(ordered, service: service)
        let requests = prompts.enumerated().map { index, prompt in
            var generation = makeRequest(id: prompts.count > 1 ? "\(id)-\(index)" : id, prompt: prompt.tokens, plan: plan, service: service)
            generation.constraint = constraint
            return generation
        }
        let run = try GenerationRun(requests, service: service, retryAfter: configuration.retryAfterSeconds) { [self] summary in
            finish(summary, id: id, endpoint: "completions", started: started)
        }
        run.cancel(whenClosed: context.channel)
        let created = Int(Date().timeIntervalSince1970)
        let echoes = echo ? prompts.map(\.text) : Array(repeating: "", count: prompts.count)
        if plan.stream {
            return stream(run, id: id, created: created, plan: plan, translator: CompletionStreamTranslator(
                n: plan.n, echoes: echoes, logprobs: plan.logprobs != nil, tokenizer: service.tokenizer))
        }
        var accumulator = ChoiceAccumulator(prompts: prompts.count, n: plan.n)
        for await (index, event) in run.events { accumulator.add(event, prompt: index) }
        if let failure = accumulator.failureError { throw failure }
        var choices: [CompletionChoice] = []
        for (p, promptChoices) in accumulator.choices.enumerated() {
            for (c, choice) in promptChoices.enumerated() {
                var logprobs: CompletionLogprobs?
                if plan.logprobs != nil {
                    var entry = CompletionLogprobs()
                    entry.append(choice.logprobs, offset: 0, tokenizer: service.tokenizer)
                    logprobs = entry
                }
                choices.append(.init(text: echoes[p] + choice.text, index: p * plan.n + c, logprobs: logprobs,
                                     finishReason: apiFinishReason(choice.finish)))
            }
        }
        let usages = accumulator.allUsages
        return try json(CompletionResponse(
            id: id, created: created, model: configuration.servedModelName, systemFingerprint: configuration.systemFingerprint,
            choices: choices, usage: Usage(usages), includeUsageField: true,
            apusTimings: plan.reportTimings ? timingsReport(usages, run: run) : nil))
    }
}
