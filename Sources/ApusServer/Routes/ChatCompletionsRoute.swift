import ApusEngine
import ApusTokenizer
import Foundation
import Hummingbird

extension APIServer {
    /// `POST /v1/chat/completions`.
    func chatCompletions(_ request: Request, context: ServerContext) async throws -> Response {
        let started = ContinuousClock.now
        let service = try slot.ready()
        let (body, ordered) = try await decodeKeepingOrder(ChatCompletionRequest.self, from: request)
        var plan = try GenerationPlan(body.sampling, maxTokens: body.maxCompletionTokens ?? body.sampling.maxTokens,
                                      maxTokensParam: body.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens",
                                      vocabularySize: service.vocabularySize, configuration: configuration)
        if let top = body.topLogprobs {
            guard top >= 0, top <= 20 else { throw APIError.invalid("top_logprobs must be between 0 and 20, got \(top)", param: "top_logprobs") }
            guard body.logprobs == true else { throw APIError.invalid("top_logprobs requires logprobs to be true", param: "top_logprobs") }
        }
        if body.logprobs == true { plan.logprobs = body.topLogprobs ?? 0 }
        let structure = try chatStructure(body, ordered: ordered, service: service)
        let prompt = structure.prompt
        try checkLength(prompt.count, service: service, param: "messages")
        let id = Self.makeID("chatcmpl-")
        var generation = makeRequest(id: id, prompt: prompt, plan: plan, service: service)
        generation.constraint = structure.constraint
        let run = try GenerationRun([generation], service: service, retryAfter: configuration.retryAfterSeconds) { [self] summary in
            finish(summary, id: id, endpoint: "chat", started: started)
        }
        run.cancel(whenClosed: context.channel)
        let created = Int(Date().timeIntervalSince1970)
        let tokenizer = service.tokenizer
        if plan.stream {
            return stream(run, id: id, created: created, plan: plan, translator: ChatStreamTranslator(
                n: plan.n, logprobs: plan.logprobs != nil, tokenizer: tokenizer, toolFormat: structure.toolFormat))
        }
        var accumulator = ChoiceAccumulator(prompts: 1, n: plan.n)
        for await (index, event) in run.events { accumulator.add(event, prompt: index) }
        if let failure = accumulator.failureError { throw failure }
        let usages = accumulator.allUsages
        let response = ChatCompletionResponse(
            id: id, created: created, model: configuration.servedModelName, systemFingerprint: configuration.systemFingerprint,
            choices: accumulator.choices[0].enumerated().map { index, choice in
                var entry = ChatChoice(
                    index: index, content: choice.text,
                    logprobs: plan.logprobs != nil ? ChatLogprobs(choice.logprobs, tokenizer: tokenizer) : nil,
                    finishReason: apiFinishReason(choice.finish))
                if let format = structure.toolFormat { entry.extractToolCalls(format) }
                return entry
            },
            usage: Usage(usages), includeUsageField: true, apusTimings: plan.reportTimings ? timingsReport(usages, run: run) : nil)
        return try json(response)
    }

    /// 400 when a prompt leaves no room for even one generated token.
    func checkLength(_ length: Int, service: any GenerationService, param: String) throws(APIError) {
        guard length < service.contextLength else {
            throw APIError(status: .badRequest,
                           message: "This model's maximum context length is \(service.contextLength) tokens, but the prompt has \(length) tokens (at least one more is needed for the completion); shorten the prompt",
                           param: param, code: "context_length_exceeded")
        }
    }

    /// The engine request for one prompt.
    func makeRequest(id: String, prompt: [Int], plan: GenerationPlan, service: any GenerationService) -> GenerationRequest {
        GenerationRequest(id: id, prompt: prompt, sampling: plan.sampling,
                          stop: plan.stopConditions(promptLength: prompt.count, contextLength: service.contextLength),
                          n: plan.n, logprobs: plan.logprobs, priority: plan.priority)
    }
}
