import ApusEngine
import ApusGGUF
import ApusKernels
import ApusModels
import ApusServer
import ApusTestSupport
import ApusTokenizer
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The real smollm2-135m behind an `Engine`, loaded once per test process and shared by
/// the router tests (they run concurrently, as real clients do). Context 512 tokens.
enum ServerFixture {
    /// Context length of the test engines.
    static let contextLength = 512

    private static let shared = Mutex<(Engine, ChatPrompt)?>(nil)

    /// The shared engine and chat prompt builder; nil (skip) when the model is not pulled
    /// outside CI; throws in CI.
    static func engine() throws -> (Engine, ChatPrompt)? {
        try shared.withLock { cached in
            if let cached { return cached }
            guard let loaded = try load(EngineConfiguration()) else { return nil }
            cached = loaded
            return loaded
        }
    }

    /// A fresh engine over its own copy of the model, for tests that need other limits.
    static func load(_ configuration: EngineConfiguration) throws -> (Engine, ChatPrompt)? {
        guard let path = try TestModels.path("smollm2-135m") else { return nil }
        let file = try GGUFFile(path: path)
        let model = try TransformerModel(file: file, pool: try ThreadPool(threadCount: 2), maxBatchTokens: configuration.maxBatchTokens,
                                         maxLogitRows: configuration.maxSequences, contextLength: contextLength)
        let tokenizer = try Tokenizer(file: file)
        let template = try ChatTemplate(try #require(file.metadata.string("tokenizer.chat_template")))
        let engine = try Engine(model: model, tokenizer: tokenizer, configuration: configuration)
        return (engine, ChatPrompt(template: template, tokenizer: tokenizer))
    }

    /// Runs `body` against a router over the shared engine; skips when the model is absent.
    static func withServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }, chatTemplate: Bool = true,
                           _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        guard let loaded = try engine() else { return }
        let (engine, chat) = loaded
        var configuration = ServerConfiguration(servedModelName: "smollm2-135m")
        configure(&configuration)
        let server = APIServer(configuration: configuration, slot: EngineSlot(engine, chatPrompt: chatTemplate ? chat : nil))
        try await Application(router: server.makeRouter()).test(.router, body)
    }
}

/// Whether the test model is present (or we are in CI, where its absence must fail).
let modelAvailable = TestModels.isCI || (try? TestModels.path("smollm2-135m")) != nil

/// JSON helpers for test responses.
extension TestResponse {
    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any], "\(String(buffer: body))")
    }

    /// The `data:` payloads of a server-sent event stream, `[DONE]` excluded (it must be last).
    func events() throws -> [[String: Any]] {
        let text = String(buffer: body)
        let payloads = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(payloads.last == "data: [DONE]")
        #expect(payloads.allSatisfy { $0.hasPrefix("data: ") })
        return try payloads.dropLast().map { payload in
            try #require(try JSONSerialization.jsonObject(with: Data(payload.dropFirst(6).utf8)) as? [String: Any])
        }
    }
}

extension TestClientProtocol {
    /// POSTs `body` as JSON to `uri`.
    func post(_ uri: String, _ body: [String: Any], headers: HTTPFields = [:]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: data))
    }
}
