import ApusEngine
import NIOCore

/// What happened to a run, for metrics and the request log.
struct RunSummary: Sendable {
    /// Usage per prompt (zero for a prompt whose stream ended without `.completed`).
    var usages: [RequestUsage]
    /// Finish reason of every choice, per prompt.
    var finishReasons: [[FinishReason]]
    /// The engine's counters when the run was submitted and when it ended.
    var engineBefore: EngineMetrics
    var engineAfter: EngineMetrics
}

/// The engine requests behind one API request (one per prompt), their events merged into a
/// single stream tagged with the prompt index.
///
/// A forwarding task drains the engine's streams to their `.completed` event even when the
/// consumer has gone (client disconnected): it cancels the engine requests, then keeps
/// reading so the summary — finish reasons, usage, timings — is always recorded.
final class GenerationRun: Sendable {
    /// Engine request ids, one per prompt.
    let ids: [String]
    /// Every event of every prompt, in order per prompt; ends when all have completed.
    let events: AsyncStream<(prompt: Int, event: GenerationEvent)>
    /// The engine's counters just before the run was submitted (for the roofline share).
    let engineBefore: EngineMetrics
    /// Choices per prompt.
    let choices: Int
    private let service: any GenerationService

    /// Submits `requests`; if one is refused, the ones already submitted are cancelled and the
    /// refusal is thrown as an `APIError`. `onComplete` runs once every stream has ended.
    init(_ requests: [GenerationRequest], service: any GenerationService, retryAfter: Int,
         onComplete: @escaping @Sendable (RunSummary) -> Void) throws(APIError) {
        self.service = service
        let ids = requests.map(\.id)
        self.ids = ids
        let before = service.metrics()
        engineBefore = before
        self.choices = requests.first?.n ?? 1
        var streams: [AsyncStream<GenerationEvent>] = []
        for request in requests {
            do {
                streams.append(try service.submit(request))
            } catch {
                for id in ids { service.cancel(id: id) }
                throw Self.apiError(error, retryAfter: retryAfter, promptIndex: requests.count > 1 ? streams.count : nil)
            }
        }
        let (output, continuation) = AsyncStream<(prompt: Int, event: GenerationEvent)>.makeStream()
        events = output
        let choiceCounts = requests.map(\.n)
        let submitted = streams
        Task {
            let summary = await withTaskGroup(of: (Int, RequestUsage, [FinishReason]).self) { group in
                for (index, stream) in submitted.enumerated() {
                    group.addTask {
                        var usage = RequestUsage()
                        var reasons = Array(repeating: FinishReason.cancelled, count: choiceCounts[index])
                        for await event in stream {
                            switch event {
                            case let .finished(choice, reason, _) where reasons.indices.contains(choice): reasons[choice] = reason
                            case let .completed(final): usage = final
                            default: break
                            }
                            continuation.yield((index, event))
                        }
                        return (index, usage, reasons)
                    }
                }
                var summary = RunSummary(usages: Array(repeating: RequestUsage(), count: submitted.count),
                                         finishReasons: choiceCounts.map { Array(repeating: .cancelled, count: $0) },
                                         engineBefore: before, engineAfter: before)
                for await (index, usage, reasons) in group {
                    summary.usages[index] = usage
                    summary.finishReasons[index] = reasons
                }
                summary.engineAfter = service.metrics()
                return summary
            }
            continuation.finish()
            onComplete(summary)
        }
        continuation.onTermination = { @Sendable [service] reason in
            if case .cancelled = reason { for id in ids { service.cancel(id: id) } }
        }
    }

    /// The run's idealized runtime under `model`, with the engine's counters read now (call
    /// once every prompt has completed); nil without a model or when no step was counted.
    func roofline(_ usages: [RequestUsage], model: RooflineModel?) -> RooflineEstimate? {
        guard let model else { return nil }
        let after = service.metrics()
        let parts = usages.compactMap { model.estimate($0, choices: choices, before: engineBefore, after: after) }
        guard parts.count == usages.count else { return nil }
        let slowest = usages.max { $0.timings.total < $1.timings.total }?.timings
        return RooflineEstimate.combined(parts, busy: slowest.map { max(0, $0.total - $0.queue) } ?? 0)
    }

    /// Cancels every engine request of the run (no effect on finished ones).
    func cancel() {
        for id in ids { service.cancel(id: id) }
    }

    /// Cancels the run when `channel` closes (the client disconnected).
    func cancel(whenClosed channel: any Channel) {
        channel.closeFuture.whenComplete { [self] _ in cancel() }
    }

    /// The HTTP error for an engine refusal.
    static func apiError(_ error: EngineError, retryAfter: Int, promptIndex: Int?) -> APIError {
        let param = promptIndex.map { "prompt[\($0)]" }
        switch error {
        case .overloaded:
            return APIError(status: .tooManyRequests, message: error.description, type: "rate_limit_error",
                            code: "rate_limit_exceeded", retryAfter: retryAfter)
        case .shuttingDown:
            return APIError(status: .serviceUnavailable, message: error.description, type: "server_error",
                            code: "shutting_down", retryAfter: retryAfter)
        case let .promptTooLong(tokens, limit):
            return APIError(status: .badRequest,
                            message: "This model's maximum context length is \(limit) tokens, but the prompt has \(tokens) tokens; shorten the prompt",
                            param: param ?? "messages", code: "context_length_exceeded")
        case .emptyPrompt, .tokenOutOfRange:
            return .invalid(error.description, param: param ?? "prompt")
        case let .invalidParameter(name, _, _):
            return .invalid(error.description, param: name)
        case .duplicateID:
            return APIError(status: .conflict, message: error.description, code: "duplicate_request_id")
        }
    }
}
