import ApusEngine
import Foundation
import Hummingbird

/// What one endpoint sends for the events of a streamed run: the choices of the chunks for
/// each text delta and each finish. The loop around it (`APIServer.stream`) is shared.
protocol StreamTranslator: Sendable {
    associatedtype Choice: ResponseChoice
    /// Chunks for new output of choice `choice` of prompt `prompt` (none to send nothing yet).
    mutating func delta(prompt: Int, choice: Int, text: String, logprobs: [TokenLogprob]) -> [[Choice]]
    /// Chunks for the end of that choice (the last carries its `finish_reason`).
    mutating func finished(prompt: Int, choice: Int, reason: FinishReason) -> [[Choice]]
}

extension APIServer {
    /// The server-sent-event response of a streamed run: a chunk per text delta and per
    /// finish as `translator` shapes them, an error event where a choice failed, the usage
    /// chunk when asked for, then `data: [DONE]`.
    func stream<T: StreamTranslator>(_ run: GenerationRun, id: String, created: Int, plan: GenerationPlan, translator: T) -> Response {
        let model = configuration.servedModelName, fingerprint = configuration.systemFingerprint
        let body = ResponseBody { [self] writer in
            var translator = translator
            var usages: [RequestUsage] = []
            func chunk(_ choices: [T.Choice], usage: Usage? = nil, timings: TimingsReport? = nil) -> ResponseEnvelope<T.Choice> {
                ResponseEnvelope(id: id, created: created, model: model, systemFingerprint: fingerprint, choices: choices,
                                 usage: usage, includeUsageField: plan.includeUsage, apusTimings: timings)
            }
            for await (prompt, event) in run.events {
                var chunks: [[T.Choice]] = []
                switch event {
                case let .delta(choice, text, _, logprobs):
                    guard (0..<plan.n).contains(choice), !text.isEmpty || !logprobs.isEmpty else { continue }
                    chunks = translator.delta(prompt: prompt, choice: choice, text: text, logprobs: logprobs)
                case let .finished(choice, reason, _):
                    guard (0..<plan.n).contains(choice) else { continue }
                    if reason == .error {
                        try await writer.write(ServerSentEvents.error(APIError(
                            status: .internalServerError, message: "the engine failed while generating choice \(prompt * plan.n + choice)",
                            type: "server_error", code: "engine_error")))
                    }
                    chunks = translator.finished(prompt: prompt, choice: choice, reason: reason)
                case let .completed(usage):
                    usages.append(usage)
                }
                for choices in chunks { try await writer.write(ServerSentEvents.event(chunk(choices))) }
            }
            if plan.includeUsage {
                try await writer.write(ServerSentEvents.event(chunk([], usage: Usage(usages),
                                                                    timings: plan.reportTimings ? timingsReport(usages, run: run) : nil)))
            }
            try await writer.write(ServerSentEvents.done)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
