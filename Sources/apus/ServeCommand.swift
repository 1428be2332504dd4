import ApusEngine
import ApusServer
import ApusStore
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `apus serve [MODEL]`: the OpenAI-compatible HTTP server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model over an OpenAI-compatible HTTP API.",
        discussion: """
            Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, \
            GET /metrics (Prometheus), POST /tokenize, POST /detokenize, GET /openapi.json. \
            With no MODEL, pulls and serves smollm2-135m. SIGINT/SIGTERM stop accepting requests, \
            let running ones finish for up to --shutdown-timeout seconds, cancel the rest and exit 0.
            """
    )

    @Argument(help: "A catalog model name (see `apus list`) or a path to a .gguf file (default: smollm2-135m).")
    var model: String?
    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?
    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080
    @Option(help: "Require `Authorization: Bearer KEY` on /v1 routes (default: $APUS_API_KEY).")
    var apiKey: String?
    @Option(help: "Model name reported by /v1/models and in responses (default: the model argument).")
    var servedModelName: String?
    @Option(help: "Chat template instead of the model's: `chatml` or a Jinja file.")
    var chatTemplate: String?
    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: "Context length per sequence (prompt + output tokens).")
    var contextSize = 4096
    @Option(name: [.customShort("t"), .customLong("threads")], help: "Threads for the kernels.")
    var threads = min(ThreadCount.online, 2)
    @Option(help: "Tokens computed per engine step (prefill chunks + decodes).")
    var maxBatchTokens = EngineConfiguration().maxBatchTokens
    @Option(help: "Prompt tokens a step computes at most when it also decodes running streams (bounds their inter-token latency during a long prefill).")
    var maxPromptTokensBesideDecodes = EngineConfiguration().maxPromptTokensBesideDecodes
    @Option(help: "Prompt tokens a step computes at most per running stream it decodes (1 keeps their inter-token latency under about 2× during a long prefill).")
    var promptTokensPerDecode = EngineConfiguration().promptTokensPerDecode
    @Option(name: .customLong("max-seqs"), help: "Sequences running at once.")
    var maxSequences = EngineConfiguration().maxSequences
    @Option(help: "KV cache size in tokens (default: the engine's, fitted to the machine).")
    var kvCacheTokens: Int?
    @Option(help: "KV cache size in MiB (instead of --kv-cache-tokens).")
    var kvCacheMib: Int?
    @Option(help: "Requests queued at most; more get 429 with Retry-After.")
    var maxWaiting = EngineConfiguration().maxWaiting
    @Option(help: "Largest n (choices per prompt).")
    var maxChoices = EngineConfiguration().maxChoices
    @Flag(help: "Turn off prefix caching.")
    var noPrefixCaching = false
    @Flag(help: "Sample every token of a constrained output (no jump-forward over the text its grammar forces).")
    var noJumpForward = false
    @Option(help: "Largest request body in bytes; larger gets 413.")
    var maxBodyBytes = 4 << 20
    @Option(help: "Seconds running requests get to finish after SIGINT/SIGTERM.")
    var shutdownTimeout = 30.0
    @Flag(help: "Add apus_timings (queue, TTFT, decode time) to every response.")
    var reportTimings = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard contextSize >= 16 else { throw ValidationError("--ctx-size must be at least 16") }
        guard maxBatchTokens >= 1, maxSequences >= 1, maxWaiting >= 0, maxChoices >= 1 else {
            throw ValidationError("--max-batch-tokens, --max-seqs and --max-choices must be at least 1, --max-waiting at least 0")
        }
        guard shutdownTimeout >= 0, shutdownTimeout.isFinite else { throw ValidationError("--shutdown-timeout must be >= 0 seconds") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a level") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "apus.serve")
        let name = model ?? "smollm2-135m"
        let path = try modelPath(name, logger: logger)
        let option = try ModelOption.parse(["-m", path, "-t", String(threads)] + (modelsDir.map { ["--models-dir", $0] } ?? []))
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.maxBatchTokens = maxBatchTokens
        engineConfiguration.maxPromptTokensBesideDecodes = maxPromptTokensBesideDecodes
        engineConfiguration.promptTokensPerDecode = promptTokensPerDecode
        engineConfiguration.maxSequences = maxSequences
        engineConfiguration.kvCacheTokens = kvCacheTokens
        engineConfiguration.kvCacheMiB = kvCacheMib
        engineConfiguration.maxWaiting = maxWaiting
        engineConfiguration.maxChoices = maxChoices
        engineConfiguration.prefixCaching = !noPrefixCaching
        engineConfiguration.jumpForward = !noJumpForward
        engineConfiguration.threads = threads

        var configuration = ServerConfiguration(servedModelName: servedModelName ?? name)
        configuration.apiKey = apiKey ?? ProcessInfo.processInfo.environment["APUS_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxChoices = maxChoices
        configuration.reportTimings = reportTimings
        configuration.systemFingerprint = "apus-" + URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let chatTemplate = self.chatTemplate
        let engineSettings = engineConfiguration, modelName = configuration.servedModelName
        let contextSize = self.contextSize, maxBatchTokens = self.maxBatchTokens, maxSequences = self.maxSequences

        let slot = EngineSlot()
        let server = APIServer(configuration: configuration, slot: slot, logger: Logger(label: "apus.request"))
        let service = APIService(
            server: server, host: host, port: port, shutdownTimeout: .milliseconds(Int64(shutdownTimeout * 1000)), logger: logger,
            load: {
                logger.info("loading \(path)")
                let loaded = try LoadedModel(option, contextLength: contextSize, batchSize: maxBatchTokens, logitRows: maxSequences)
                let chatPrompt: ChatPrompt?
                if chatTemplate != nil {
                    // An explicit --chat-template must work: a bad one fails the command.
                    chatPrompt = ChatPrompt(template: try loaded.chatTemplate(named: chatTemplate), tokenizer: loaded.tokenizer)
                } else {
                    do {
                        chatPrompt = ChatPrompt(template: try loaded.chatTemplate(named: nil), tokenizer: loaded.tokenizer)
                    } catch {
                        logger.warning("chat completions are off: \(error)")
                        chatPrompt = nil
                    }
                }
                if let roofline = RooflineMeasurement.measure(loaded.model) {
                    slot.roofline = roofline
                    logger.info("roofline: \(String(format: "%.1f GB/s read, %.1f GFLOP/s peak", roofline.bandwidth / 1e9, roofline.peakFLOPs / 1e9))")
                }
                let engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, configuration: engineSettings)
                logger.info("loaded in \(String(format: "%.2f", loaded.loadSeconds)) s: context \(engine.contextLength) tokens, kernels \(loaded.kernelSummary)")
                return (engine, chatPrompt)
            },
            onReady: { address in logger.info("serving \(modelName) at http://\(address)/v1") })
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The model file: a path, or a catalog name, pulled first when it is missing.
    private func modelPath(_ name: String, logger: Logger) throws -> String {
        let store = ModelStore(directory: ModelsDirectory.resolve(override: modelsDir))
        if let entry = store.entry(named: name), !FileManager.default.fileExists(atPath: store.path(for: entry).path) {
            logger.info("pulling \(name)")
            return try store.pull(name).path.path
        }
        return try resolveModel(name, modelsDir: modelsDir)
    }
}
