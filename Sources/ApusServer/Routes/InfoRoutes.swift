import ApusEngine
import Foundation
import Hummingbird

/// `/v1/models` entry.
struct ModelCard: Encodable {
    var id: String
    var object = "model"
    var created: Int
    var ownedBy = "apus"
    var root: String
    var maxModelLen: Int

    private enum CodingKeys: String, CodingKey {
        case id, object, created, ownedBy = "owned_by", root, maxModelLen = "max_model_len"
    }
}

/// `/v1/models`.
struct ModelList: Encodable {
    var object = "list"
    var data: [ModelCard]
}

/// Body of `POST /tokenize` (vLLM's shape): a prompt, or chat messages rendered by the template.
struct TokenizeRequest: Decodable {
    var prompt: String?
    var messages: [ChatMessage]?
    var addSpecialTokens: Bool?
    var returnTokenStrs: Bool?

    private enum CodingKeys: String, CodingKey {
        case prompt, messages, addSpecialTokens = "add_special_tokens", returnTokenStrs = "return_token_strs"
    }
}

/// Answer of `POST /tokenize`.
struct TokenizeResponse: Encodable {
    var count: Int
    var maxModelLen: Int
    var tokens: [Int]
    var tokenStrs: [String]?

    private enum CodingKeys: String, CodingKey { case count, maxModelLen = "max_model_len", tokens, tokenStrs = "token_strs" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(maxModelLen, forKey: .maxModelLen)
        try container.encode(tokens, forKey: .tokens)
        try container.encodeNullable(tokenStrs, forKey: .tokenStrs)
    }
}

/// Body of `POST /detokenize`.
struct DetokenizeRequest: Decodable {
    var tokens: [Int]

    private enum CodingKeys: String, CodingKey { case tokens }

    init(from decoder: any Decoder) throws {
        tokens = try decoder.container(keyedBy: CodingKeys.self).decode([IntegerValue].self, forKey: .tokens).map(\.value)
    }
}

/// Answer of `POST /detokenize`.
struct DetokenizeResponse: Encodable {
    var prompt: String
}

/// `/health` when ready.
struct HealthStatus: Encodable {
    var status = "ok"
}

extension APIServer {
    /// `GET /health`: 200 when the engine is ready, 503 while loading or shutting down.
    func health() throws -> Response {
        _ = try slot.ready()
        return try json(HealthStatus())
    }

    /// `GET /metrics`: the Prometheus text, with the engine's gauges read now.
    func prometheusText() -> Response {
        if let service = slot.service { metrics.update(service.metrics()) }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    /// `GET /v1/models`.
    func models() throws -> Response {
        let service = try slot.ready()
        return try json(ModelList(data: [card(service)]))
    }

    /// `GET /v1/models/{id}`: the served model, or 404.
    func model(_ id: String) throws -> Response {
        let service = try slot.ready()
        guard id == configuration.servedModelName else {
            throw APIError(status: .notFound, message: "The model '\(id)' does not exist; this server serves '\(configuration.servedModelName)'",
                           param: "model", code: "model_not_found")
        }
        return try json(card(service))
    }

    private func card(_ service: any GenerationService) -> ModelCard {
        ModelCard(id: configuration.servedModelName, created: startTime, root: configuration.servedModelName,
                  maxModelLen: service.contextLength)
    }

    /// `POST /tokenize`.
    func tokenize(_ request: Request) async throws -> Response {
        let service = try slot.ready()
        let body = try await decode(TokenizeRequest.self, from: request)
        let tokens: [Int]
        switch (body.prompt, body.messages) {
        case let (prompt?, nil):
            tokens = service.tokenizer.encode(prompt, addSpecial: body.addSpecialTokens ?? true, parseSpecial: true).map(Int.init)
        case let (nil, messages?):
            tokens = try PromptTokens.chat(messages, builder: slot.chatPrompt, missingTemplate: configuration.missingChatTemplateReason)
        default:
            throw APIError.invalid("give exactly one of prompt (a string) or messages", param: "prompt", code: "missing_required_parameter")
        }
        let strings = body.returnTokenStrs == true ? tokens.map { TokenText($0, tokenizer: service.tokenizer).text } : nil
        return try json(TokenizeResponse(count: tokens.count, maxModelLen: service.contextLength, tokens: tokens, tokenStrs: strings))
    }

    /// `POST /detokenize`.
    func detokenize(_ request: Request) async throws -> Response {
        let service = try slot.ready()
        let body = try await decode(DetokenizeRequest.self, from: request)
        if let bad = body.tokens.firstIndex(where: { $0 < 0 || $0 >= service.vocabularySize }) {
            throw APIError.invalid("tokens[\(bad)] = \(body.tokens[bad]) is outside the vocabulary (0..<\(service.vocabularySize))",
                                   param: "tokens")
        }
        let text = service.tokenizer.decode(body.tokens.map { Int32($0) }, removeSpecial: false, renderSpecial: true)
        return try json(DetokenizeResponse(prompt: text))
    }
}
