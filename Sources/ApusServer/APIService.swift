import ApusEngine
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `apus serve` as a swift-service-lifecycle `Service`: runs the HTTP server, loads the
/// engine beside it (so `/health` says 503 while loading), and on SIGINT/SIGTERM stops
/// accepting, lets in-flight requests finish for up to `shutdownTimeout`, then cancels the rest.
public struct APIService: Service {
    /// The routes and state.
    public let server: APIServer
    /// Interface and port to listen on (port 0 picks a free one).
    public let host: String
    public let port: Int
    /// Longest wait for in-flight requests after a shutdown signal.
    public let shutdownTimeout: Duration
    /// Loads the engine and the chat prompt builder; runs while the server already answers `/health` with 503.
    public let load: @Sendable () async throws -> (any GenerationService, ChatPrompt?)
    /// Called with the bound address once the server listens and the engine is ready.
    public let onReady: @Sendable (String) -> Void
    private let logger: Logger

    /// A service for `server` on `host`:`port`.
    public init(server: APIServer, host: String, port: Int, shutdownTimeout: Duration, logger: Logger,
                load: @escaping @Sendable () async throws -> (any GenerationService, ChatPrompt?),
                onReady: @escaping @Sendable (String) -> Void = { _ in }) {
        self.server = server
        self.host = host
        self.port = port
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
        self.load = load
        self.onReady = onReady
    }

    public func run() async throws {
        let bound = AsyncStream<String>.makeStream()
        let app = Application(
            router: server.makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "apus"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? "\(host):\(port)"
                bound.continuation.yield(address)
                bound.continuation.finish()
            },
            logger: logger)
        let slot = server.slot
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask {
                let (service, chatPrompt) = try await load()
                slot.install(service, chatPrompt: chatPrompt)
                for await address in bound.stream { onReady(address) }
                // Holds here until shutdown begins, then drains the engine within the timeout.
                try? await gracefulShutdown()
                slot.beginDraining()
                let deadline = ContinuousClock.now + shutdownTimeout
                while ContinuousClock.now < deadline, !Task.isCancelled {
                    let load = service.metrics()
                    if load.running == 0, load.waiting == 0 { break }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                service.shutdown()
            }
            // Both end after shutdown; if either fails (bind error, load error) the other is cancelled.
            try await group.waitForAll()
        }
    }
}
