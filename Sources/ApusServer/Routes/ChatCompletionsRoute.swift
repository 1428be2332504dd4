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
            return streamChat(run, id: id, created: created, plan: plan, tokenizer: tokenizer, toolFormat: structure.toolFormat)
        }
        var accumulator = ChoiceAccumulator(prompts: 1, n: plan.n)
        for await (index, event) in run.events { accumulator.add(event, prompt: index) }
        if let failure = accumulator.failure {
            throw APIError(status: .internalServerError, message: failure, type: "server_error", code: "engine_error")
        }
        let usages = accumulator.allUsages
        let response = ChatCompletionResponse(
            id: id, created: created, model: configuration.servedModelName, systemFingerprint: configuration.systemFingerprint,
            choices: accumulator.choices[0].enumerated().map { index, choice in
                var entry = ChatCompletionResponse.Choice(
                    index: index, content: choice.text,
                    logprobs: plan.logprobs != nil ? ChatLogprobs(choice.logprobs, tokenizer: tokenizer) : nil,
                    finishReason: apiFinishReason(choice.finish))
                if let format = structure.toolFormat { entry.extractToolCalls(format) }
                return entry
            },
            usage: Usage(usages), apusTimings: plan.reportTimings ? TimingsReport(usages) : nil)
        return try json(response)
    }

    /// The streamed response: a chunk per text delta, a chunk per finish, the usage chunk, `[DONE]`.
    private func streamChat(_ run: GenerationRun, id: String, created: Int, plan: GenerationPlan, tokenizer: Tokenizer,
                            toolFormat: ToolCallFormat?) -> Response {
        let model = configuration.servedModelName, fingerprint = configuration.systemFingerprint
        let body = ResponseBody { writer in
            var started = Array(repeating: false, count: plan.n)
            var toolStreams = toolFormat.map { format in Array(repeating: ToolCallStream(format: format), count: plan.n) }
            var usages: [RequestUsage] = []
            func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil, timings: TimingsReport? = nil) -> ChatCompletionChunk {
                ChatCompletionChunk(id: id, created: created, model: model, systemFingerprint: fingerprint, choices: choices,
                                    usage: usage, includeUsageField: plan.includeUsage, apusTimings: timings)
            }
            for await (_, event) in run.events {
                switch event {
                case let .delta(choice, text, _, logprobs):
                    guard started.indices.contains(choice), !text.isEmpty || !logprobs.isEmpty else { continue }
                    let role = started[choice] ? nil : "assistant"
                    started[choice] = true
                    let entry = ChatCompletionChunk.Choice(
                        index: choice, role: role, content: text,
                        logprobs: plan.logprobs != nil ? ChatLogprobs(logprobs, tokenizer: tokenizer) : nil, finishReason: nil)
                    if toolStreams != nil {
                        let pieces = ChatCompletionChunk.Choice.toolPieces(entry, stream: &toolStreams![choice])
                        if pieces.isEmpty, role != nil { started[choice] = false }  // the role goes on the first chunk sent
                        for piece in pieces {
                            try await writer.write(ServerSentEvents.event(chunk([piece])))
                        }
                        continue
                    }
                    try await writer.write(ServerSentEvents.event(chunk([entry])))
                case let .finished(choice, reason, _):
                    guard started.indices.contains(choice) else { continue }
                    if reason == .error {
                        try await writer.write(ServerSentEvents.error(APIError(
                            status: .internalServerError, message: "the engine failed while generating choice \(choice)",
                            type: "server_error", code: "engine_error")))
                    }
                    var role = started[choice] ? nil : "assistant"
                    started[choice] = true
                    var finishReason = apiFinishReason(reason)
                    if toolStreams != nil {
                        let rest = toolStreams![choice].finish()
                        if !rest.isEmpty {
                            try await writer.write(ServerSentEvents.event(chunk([.init(index: choice, role: role, content: rest, logprobs: nil, finishReason: nil)])))
                            role = nil
                        }
                        if toolStreams![choice].callCount > 0, finishReason == "stop" { finishReason = "tool_calls" }
                    }
                    let entry = ChatCompletionChunk.Choice(index: choice, role: role, content: role == nil ? nil : "",
                                                           logprobs: nil, finishReason: finishReason)
                    try await writer.write(ServerSentEvents.event(chunk([entry])))
                case let .completed(usage):
                    usages.append(usage)
                }
            }
            if plan.includeUsage {
                try await writer.write(ServerSentEvents.event(chunk([], usage: Usage(usages),
                                                                    timings: plan.reportTimings ? TimingsReport(usages) : nil)))
            }
            try await writer.write(ServerSentEvents.done)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
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
