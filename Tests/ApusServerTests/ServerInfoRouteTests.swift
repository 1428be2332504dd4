import ApusServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Routes that answer without a loaded model: readiness, the OpenAPI document, metrics,
/// unknown routes.
@Suite struct ServerInfoRouteTests {
    private func withLoadingServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = APIServer(configuration: ServerConfiguration(servedModelName: "m"), slot: EngineSlot())
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    @Test func healthIs503WhileTheModelLoads() async throws {
        try await withLoadingServer { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            let error = try errorObject(response)
            #expect(error["code"] as? String == "model_loading")
        }
    }

    @Test func generationRoutesAre503WhileTheModelLoads() async throws {
        try await withLoadingServer { client in
            for (uri, method) in [("/v1/models", HTTPRequest.Method.get), ("/v1/chat/completions", .post), ("/v1/completions", .post), ("/tokenize", .post)] {
                let response = try await client.execute(uri: uri, method: method, body: ByteBuffer(string: #"{"prompt":"x"}"#))
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(try errorObject(response)["type"] as? String == "server_error")
            }
        }
    }

    @Test func openAPIDocumentDescribesEveryRoute() async throws {
        try await withLoadingServer { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(Set(paths.keys) == ["/v1/chat/completions", "/v1/completions", "/v1/models", "/v1/models/{id}", "/health",
                                        "/metrics", "/tokenize", "/detokenize", "/openapi.json"])
        }
    }

    @Test func metricsUseVLLMNamesWithTheApusPrefix() async throws {
        try await withLoadingServer { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            for name in ["apus:request_success_total", "apus:time_to_first_token_seconds", "apus:inter_token_latency_seconds",
                         "apus:e2e_request_latency_seconds", "apus:request_queue_time_seconds", "apus:num_requests_running",
                         "apus:num_requests_waiting", "apus:kv_cache_usage_perc", "apus:prefix_cache_hit_rate",
                         "apus:prompt_tokens_total", "apus:generation_tokens_total"] {
                #expect(text.contains("# TYPE \(name)"), "\(name) missing")
            }
        }
    }

    @Test func unknownRouteGetsAnOpenAIErrorObject() async throws {
        try await withLoadingServer { client in
            let response = try await client.execute(uri: "/v1/nothing", method: .get)
            #expect(response.status == .notFound)
            #expect(try errorObject(response)["code"] as? String == "not_found")
        }
    }

    @Test func apiKeyGuardsV1ButNotHealthOrMetrics() async throws {
        var configuration = ServerConfiguration(servedModelName: "m")
        configuration.apiKey = "sekret"
        let server = APIServer(configuration: configuration, slot: EngineSlot())
        try await Application(router: server.makeRouter()).test(.router) { client in
            for header in [nil, "Bearer wrong", "Bearer sekre", "Bearer sekrett", "sekret"] {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                let response = try await client.execute(uri: "/v1/models", method: .get, headers: headers)
                #expect(response.status == .unauthorized, "\(header ?? "none")")
                #expect(try errorObject(response)["type"] as? String == "authentication_error")
            }
            // The right key passes the guard (and meets the loading engine).
            let authorized = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sekret"])
            #expect(authorized.status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .serviceUnavailable)
        }
    }
}

/// The `error` member of an OpenAI error response.
func errorObject(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
    return try #require(object?["error"] as? [String: Any])
}
