import ApusEngine
import Foundation
import Hummingbird
import Logging

/// The OpenAI-compatible HTTP API over a `GenerationService`: builds the router that
/// `apus serve` runs and the tests drive in process.
public final class APIServer: Sendable {
    /// Names, limits and keys.
    public let configuration: ServerConfiguration
    /// The engine, once loaded.
    public let slot: EngineSlot
    /// Prometheus metrics.
    public let metrics: ServerMetrics
    /// The grammar compiler for structured output and forced tool calls.
    let grammars = GrammarCompilers()
    /// Request log (one line per generation request).
    let logger: Logger
    /// When the server started, for `created` of `/v1/models`.
    let startTime = Int(Date().timeIntervalSince1970)

    /// A server answering with `configuration`, generating with the engine in `slot`.
    public init(configuration: ServerConfiguration, slot: EngineSlot, logger: Logger = Logger(label: "apus.server")) {
        self.configuration = configuration
        self.slot = slot
        self.logger = logger
        metrics = ServerMetrics()
    }

    /// The router: `/v1` routes behind the API key (when set), `/health`, `/metrics`,
    /// `/tokenize`, `/detokenize`, `/openapi.json`; every error as OpenAI's error object.
    public func makeRouter() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: ErrorObjectMiddleware())
        router.get("health") { [self] _, _ in try health() }
        router.get("metrics") { [self] _, _ in prometheusText() }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.post("tokenize") { [self] request, _ in try await tokenize(request) }
        router.post("detokenize") { [self] request, _ in try await detokenize(request) }
        let v1 = router.group("v1")
        if let key = configuration.apiKey { v1.add(middleware: APIKeyMiddleware(key: key)) }
        v1.get("models") { [self] _, _ in try models() }
        v1.get("models/{id}") { [self] _, context in try model(context.parameters.get("id") ?? "") }
        v1.post("chat/completions") { [self] request, context in try await chatCompletions(request, context: context) }
        v1.post("completions") { [self] request, context in try await completions(request, context: context) }
        return router
    }

    /// A JSON response.
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a request body with the server's limits.
    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        try await JSONBody.decode(type, from: request, maxBytes: configuration.maxBodyBytes, maxDepth: configuration.maxJSONDepth)
    }

    /// A fresh response id: `prefix` and 24 random letters and digits.
    static func makeID(_ prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return prefix + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    /// Records a finished run in the metrics and writes its log line.
    func finish(_ summary: RunSummary, id: String, endpoint: String, started: ContinuousClock.Instant) {
        let roofline = slot.roofline
        var estimates: [RooflineEstimate] = []
        for (usage, reasons) in zip(summary.usages, summary.finishReasons) {
            let estimate = roofline?.estimate(usage, choices: reasons.count, before: summary.engineBefore, after: summary.engineAfter)
            metrics.record(usage, finishReason: apiFinishReason(reasons.first), roofline: estimate)
            if let estimate { estimates.append(estimate) }
        }
        let usage = Usage(summary.usages)
        let timings = TimingsReport(summary.usages)
        let elapsed = ContinuousClock.now - started
        let reasons = summary.finishReasons.flatMap { $0 }.map(apiFinishReason)
        logger.info("request", metadata: [
            "id": .string(id), "endpoint": .string(endpoint),
            "prompt_tokens": .stringConvertible(usage.promptTokens), "cached_tokens": .stringConvertible(usage.cachedTokens),
            "completion_tokens": .stringConvertible(usage.completionTokens),
            "queue_ms": .string(Self.milliseconds(timings.queueTime)),
            "ttft_ms": .string(Self.milliseconds(timings.timeToFirstToken)),
            "duration_ms": .string(Self.milliseconds(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)),
            "finish_reason": .string(Set(reasons).sorted().joined(separator: ",")),
            "roofline_fraction": .string(estimates.isEmpty ? "-" : String(format: "%.3f", estimates.map(\.fraction).max()!)),
        ])
    }

    /// `apus_timings` of a run whose prompts have all completed with `usages`.
    func timingsReport(_ usages: [RequestUsage], run: GenerationRun) -> TimingsReport {
        TimingsReport(usages, roofline: run.roofline(usages, model: slot.roofline))
    }

    private static func milliseconds(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
}
