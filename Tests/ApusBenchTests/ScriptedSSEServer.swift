import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on a free loopback port that answers OpenAI-style requests from a
/// script: `GET /v1/models` lists one model; a POST's answer is chosen by its prompt and
/// streamed event by event at the scripted delays. It counts requests and the most in flight.
final class ScriptedSSEServer: Sendable {
    /// Requests received and the most answered at once.
    struct Counters: Sendable {
        var received = 0
        var inFlight = 0
        var maxInFlight = 0
        var paths: [String] = []
    }

    let counters = NIOLockedValueBox(Counters())
    private let script: @Sendable (_ prompt: String, _ chat: Bool) -> StreamScript

    init(script: @escaping @Sendable (_ prompt: String, _ chat: Bool) -> StreamScript) {
        self.script = script
    }

    /// Runs `body` with the server listening; its argument is the base URL.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { try? await self.serve(connection) }
                        }
                    }
                }
                return nil
            }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            try? await server.channel.close()
            return result
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                case .body(var buffer):
                    body.writeBuffer(&buffer)
                case .end:
                    guard let head else { continue }
                    try await respond(to: head, body: body, outbound)
                }
            }
        }
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer,
                         _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        if head.method == .GET && head.uri == "/v1/models" {
            try await sendWhole(status: .ok, body: #"{"object":"list","data":[{"id":"scripted-model","object":"model"}]}"#, outbound)
            return
        }
        let chat = head.uri == "/v1/chat/completions"
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        let prompt = chat
            ? ((json["messages"] as? [[String: Any]])?.first?["content"] as? String ?? "")
            : (json["prompt"] as? String ?? "")
        counters.withLockedValue {
            $0.received += 1
            $0.inFlight += 1
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            $0.paths.append(head.uri)
        }
        defer { counters.withLockedValue { $0.inFlight -= 1 } }
        let answer = script(prompt, chat)
        guard answer.status == 200 else {
            try await sendWhole(status: HTTPResponseStatus(statusCode: answer.status), body: answer.errorBody, outbound)
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        for event in answer.events {
            if event.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(event.delayMilliseconds)) }
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: event.line + "\n\n"))))
        }
        try await outbound.write(.end(nil))
    }

    private func sendWhole(status: HTTPResponseStatus, body: String,
                           _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
        try await outbound.write(.end(nil))
    }
}
