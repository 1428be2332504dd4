import Foundation
import HummingbirdTesting
import NIOCore
import Testing

/// Every malformed or out-of-range request gets 400 (or 413) with an OpenAI error object
/// naming the parameter, and never reaches the engine.
@Suite(.enabled(if: modelAvailable)) struct RequestValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String, path: String, body: String, status: Int, param: String?
        var testDescription: String { name }
    }

    static let messages = #""messages": [{"role": "user", "content": "hi"}]"#
    static let chat = messages + #", "max_tokens": 2"#
    static let cases: [Case] = [
        Case(name: "not JSON", path: "/v1/chat/completions", body: "hello", status: 400, param: nil),
        Case(name: "empty", path: "/v1/chat/completions", body: "", status: 400, param: nil),
        Case(name: "truncated", path: "/v1/chat/completions", body: #"{"messages": ["#, status: 400, param: nil),
        Case(name: "NaN", path: "/v1/chat/completions", body: "{\(chat), \"temperature\": NaN}", status: 400, param: nil),
        Case(name: "deep nesting", path: "/v1/chat/completions",
             body: #"{"messages": "# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}", status: 400, param: nil),
        Case(name: "array body", path: "/v1/chat/completions", body: "[1]", status: 400, param: nil),
        Case(name: "messages missing", path: "/v1/chat/completions", body: "{}", status: 400, param: "messages"),
        Case(name: "messages empty", path: "/v1/chat/completions", body: #"{"messages": []}"#, status: 400, param: "messages"),
        Case(name: "unknown role", path: "/v1/chat/completions", body: #"{"messages": [{"role": "wizard", "content": "x"}]}"#,
             status: 400, param: "messages[0].role"),
        Case(name: "content number", path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": 4}]}"#,
             status: 400, param: "messages[0].content"),
        Case(name: "content missing", path: "/v1/chat/completions", body: #"{"messages": [{"role": "user"}]}"#,
             status: 400, param: "messages[0].content"),
        Case(name: "image part", path: "/v1/chat/completions",
             body: #"{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}"#, status: 400, param: "messages[0].content[0].type"),
        Case(name: "temperature string", path: "/v1/chat/completions", body: "{\(chat), \"temperature\": \"hot\"}", status: 400, param: "temperature"),
        Case(name: "temperature 3", path: "/v1/chat/completions", body: "{\(chat), \"temperature\": 3}", status: 400, param: "temperature"),
        Case(name: "top_p 0", path: "/v1/chat/completions", body: "{\(chat), \"top_p\": 0}", status: 400, param: "top_p"),
        Case(name: "n 17", path: "/v1/chat/completions", body: "{\(chat), \"n\": 17}", status: 400, param: "n"),
        Case(name: "n 1.5", path: "/v1/chat/completions", body: "{\(chat), \"n\": 1.5}", status: 400, param: "n"),
        Case(name: "max_tokens 0", path: "/v1/chat/completions", body: "{\(messages), \"max_tokens\": 0}", status: 400, param: "max_tokens"),
        Case(name: "max_tokens 1e30", path: "/v1/chat/completions", body: "{\(messages), \"max_tokens\": 1e30}", status: 400, param: "max_tokens"),
        Case(name: "stop number", path: "/v1/chat/completions", body: "{\(chat), \"stop\": 5}", status: 400, param: "stop"),
        Case(name: "seed string", path: "/v1/chat/completions", body: "{\(chat), \"seed\": \"x\"}", status: 400, param: "seed"),
        Case(name: "logit_bias key", path: "/v1/chat/completions", body: "{\(chat), \"logit_bias\": {\"x\": 1}}", status: 400, param: "logit_bias"),
        Case(name: "logit_bias value", path: "/v1/chat/completions", body: "{\(chat), \"logit_bias\": {\"1\": 101}}", status: 400, param: "logit_bias"),
        Case(name: "top_logprobs without logprobs", path: "/v1/chat/completions", body: "{\(chat), \"top_logprobs\": 2}", status: 400, param: "top_logprobs"),
        Case(name: "presence_penalty", path: "/v1/chat/completions", body: "{\(chat), \"presence_penalty\": -2.5}", status: 400, param: "presence_penalty"),
        Case(name: "stream_options without stream", path: "/v1/chat/completions",
             body: "{\(chat), \"stream_options\": {\"include_usage\": true}}", status: 400, param: "stream_options"),
        Case(name: "response_format", path: "/v1/chat/completions", body: "{\(chat), \"response_format\": {\"type\": \"yaml\"}}",
             status: 400, param: "response_format.type"),
        Case(name: "tools", path: "/v1/chat/completions", body: "{\(chat), \"tools\": [{\"type\": \"function\"}]}", status: 400, param: "tools[0]"),
        Case(name: "min_tokens > max_tokens", path: "/v1/chat/completions", body: "{\(chat), \"min_tokens\": 5}", status: 400, param: "min_tokens"),
        Case(name: "prompt missing", path: "/v1/completions", body: "{}", status: 400, param: "prompt"),
        Case(name: "prompt token out of vocabulary", path: "/v1/completions", body: #"{"prompt": [1, 99999999]}"#, status: 400, param: "prompt"),
        Case(name: "prompt empty list", path: "/v1/completions", body: #"{"prompt": []}"#, status: 400, param: "prompt"),
        Case(name: "prompt mixed", path: "/v1/completions", body: #"{"prompt": ["a", 1]}"#, status: 400, param: "prompt"),
        Case(name: "echo with logprobs", path: "/v1/completions", body: #"{"prompt": "a", "echo": true, "logprobs": 1}"#, status: 400, param: "echo"),
        Case(name: "suffix", path: "/v1/completions", body: #"{"prompt": "a", "suffix": "b"}"#, status: 400, param: "suffix"),
        Case(name: "detokenize out of vocabulary", path: "/detokenize", body: #"{"tokens": [-3]}"#, status: 400, param: "tokens"),
        Case(name: "tokenize neither", path: "/tokenize", body: "{}", status: 400, param: "prompt"),
    ]

    @Test(arguments: RequestValidationTests.cases) func rejected(_ test: Case) async throws {
        try await ServerFixture.withServer { client in
            let response = try await client.execute(uri: test.path, method: .post, body: ByteBuffer(string: test.body))
            #expect(response.status.code == test.status, "\(String(buffer: response.body))")
            let error = try errorObject(response)
            #expect(error["message"] is String && error["type"] as? String == "invalid_request_error")
            if let param = test.param { #expect(error["param"] as? String == param) }
        }
    }

    @Test func invalidUTF8Is400() async throws {
        try await ServerFixture.withServer { client in
            var body = ByteBuffer(string: #"{"messages": [{"role": "user", "content": ""#)
            body.writeBytes([0xFF, 0xFE, 0x80])
            body.writeString(#""}]}"#)
            let response = try await client.execute(uri: "/v1/chat/completions", method: .post, body: body)
            #expect(response.status == .badRequest)
            #expect(try errorObject(response)["code"] as? String == "invalid_encoding")
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await ServerFixture.withServer({ $0.maxBodyBytes = 1000 }) { client in
            let content = String(repeating: "a", count: 2000)
            let response = try await client.post("/v1/chat/completions", ["messages": [["role": "user", "content": content]]])
            #expect(response.status == .contentTooLarge)
            #expect(try errorObject(response)["code"] as? String == "request_too_large")
        }
    }

    @Test func unknownFieldsAreIgnored() async throws {
        try await ServerFixture.withServer { client in
            let response = try await client.post("/v1/chat/completions", [
                "messages": [["role": "developer", "content": "Be brief."], ["role": "user", "content": [["type": "text", "text": "Hi"]]]],
                "max_tokens": 2, "whatever": ["nested": [1, 2]], "store": true, "metadata": ["a": "b"],
            ])
            #expect(response.status == .ok)
        }
    }
}
