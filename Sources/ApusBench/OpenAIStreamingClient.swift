import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends benchmark requests to an OpenAI-compatible server and records each streamed
/// response. One `HTTPClient` with a connection pool as large as the concurrency asked for,
/// so requests never queue inside the client.
public final class OpenAIStreamingClient: Sendable {
    private let http: HTTPClient
    private let baseURL: String
    /// The API called.
    public let endpoint: Endpoint
    private let timeout: TimeAmount

    /// A client for `baseURL` (for example `http://127.0.0.1:8080`).
    /// - Parameters:
    ///   - connections: the most requests that may be in flight at once.
    ///   - timeoutSeconds: the longest one request may take before it counts as failed.
    public init(baseURL: String, endpoint: Endpoint, connections: Int, timeoutSeconds: Int = 600) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(timeoutSeconds)))
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.endpoint = endpoint
        timeout = .seconds(Int64(timeoutSeconds))
    }

    /// Closes the connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The first model the server lists at `/v1/models`, for when `--model` is not given.
    public func firstModel() async throws -> String {
        let url = baseURL + "/v1/models"
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 22)
            guard response.status == .ok else {
                throw BenchError.modelDiscoveryFailed(url: url, reason: "HTTP \(response.status.code)")
            }
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            guard let models = json?["data"] as? [[String: Any]], let id = models.first?["id"] as? String else {
                throw BenchError.modelDiscoveryFailed(url: url, reason: "no `data[0].id` in the answer")
            }
            return id
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError.modelDiscoveryFailed(url: url, reason: String(describing: error))
        }
    }

    /// Sends `request`, streams the answer and returns what happened; never throws (a
    /// failure is an outcome).
    /// - Parameters:
    ///   - origin: the benchmark's start on `MonotonicClock`, for the outcome's start time.
    ///   - countTokens: counts generated tokens if the server sends no usage chunk.
    public func send(_ request: BenchmarkRequest, model: String, origin: Double,
                     countTokens: (@Sendable (String) -> Int)? = nil) async -> RequestOutcome {
        var httpRequest = HTTPClientRequest(url: baseURL + endpoint.path)
        httpRequest.method = .POST
        httpRequest.headers.add(name: "Content-Type", value: "application/json")
        httpRequest.headers.add(name: "Accept", value: "text/event-stream")
        // A fresh connection per request: servers close kept-alive connections on their own
        // schedule (llama.cpp's after a few requests or seconds idle), and a request sent on one
        // just closed fails with no fault of the server under test. On loopback the extra
        // handshake costs tens of microseconds.
        httpRequest.headers.add(name: "Connection", value: "close")
        httpRequest.body = .bytes(ByteBuffer(bytes: endpoint.body(for: request, model: model)))
        let sentAt = MonotonicClock.now()
        var recorder = StreamRecorder(sentAt: sentAt)
        do {
            let response = try await http.execute(httpRequest, timeout: timeout)
            guard response.status == .ok else {
                let body = (try? await response.body.collect(upTo: 1 << 16)).map { String(buffer: $0) } ?? ""
                var outcome = RequestOutcome(promptTokens: request.promptTokens, startTime: sentAt - origin)
                outcome.error = "HTTP \(response.status.code): \(body.prefix(300))"
                return outcome
            }
            for try await buffer in response.body {
                recorder.receive(buffer.readableBytesView, at: MonotonicClock.now())
                if recorder.hasFailed { break }
            }
        } catch {
            var outcome = recorder.outcome(for: request, startTime: sentAt - origin, countTokens: countTokens)
            outcome.success = false
            outcome.error = "transport error: \(error)"
            return outcome
        }
        return recorder.outcome(for: request, startTime: sentAt - origin, countTokens: countTokens)
    }
}
