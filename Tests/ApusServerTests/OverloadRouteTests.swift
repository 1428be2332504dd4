import ApusEngine
import ApusServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Past `--max-waiting` a request gets 429 with `Retry-After`, never a queue slot.
@Suite(.enabled(if: modelAvailable)) struct OverloadRouteTests {
    @Test func fullQueueGets429WithRetryAfter() async throws {
        var configuration = EngineConfiguration()
        configuration.maxWaiting = 0
        guard let loaded = try ServerFixture.load(configuration) else { return }
        let (engine, chat) = loaded
        defer { engine.shutdown() }
        var serverConfiguration = ServerConfiguration(servedModelName: "m")
        serverConfiguration.retryAfterSeconds = 3
        let server = APIServer(configuration: serverConfiguration, slot: EngineSlot(engine, chatPrompt: chat))
        try await Application(router: server.makeRouter()).test(.router) { client in
            let response = try await client.post("/v1/completions", ["prompt": "Hello", "max_tokens": 2])
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] == "3")
            let error = try errorObject(response)
            #expect(error["type"] as? String == "rate_limit_error")
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }
}
