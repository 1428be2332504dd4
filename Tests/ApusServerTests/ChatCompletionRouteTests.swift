import Foundation
import HummingbirdTesting
import Testing

/// `POST /v1/chat/completions` on the real smollm2-135m: OpenAI's shapes, streaming,
/// stop strings, n, seeds, logprobs, usage, limits.
@Suite(.enabled(if: modelAvailable)) struct ChatCompletionRouteTests {
    static var user: [[String: Any]] { [["role": "user", "content": "Name three colors."]] }

    @Test func nonStreamingResponseHasOpenAIShape() async throws {
        try await ServerFixture.withServer { client in
            let response = try await client.post("/v1/chat/completions", ["model": "x", "messages": Self.user, "max_tokens": 12, "temperature": 0])
            #expect(response.status == .ok)
            let body = try response.object()
            #expect(Set(body.keys) == ["id", "object", "created", "model", "system_fingerprint", "choices", "usage"])
            #expect(body["object"] as? String == "chat.completion")
            #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(body["model"] as? String == "smollm2-135m")
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            #expect(Set(choice.keys) == ["index", "message", "logprobs", "finish_reason"])
            #expect(choice["logprobs"] is NSNull)
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant")
            #expect(!(try #require(message["content"] as? String)).isEmpty)
            #expect(["stop", "length"].contains(choice["finish_reason"] as? String))
            let usage = try #require(body["usage"] as? [String: Any])
            let prompt = try #require(usage["prompt_tokens"] as? Int), completion = try #require(usage["completion_tokens"] as? Int)
            #expect(prompt > 5 && completion > 0 && completion <= 12)
            #expect(usage["total_tokens"] as? Int == prompt + completion)
            #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] is Int)
        }
    }

    @Test func streamSendsOneChunkPerDeltaAndMatchesTheFullResponse() async throws {
        try await ServerFixture.withServer { client in
            let request: [String: Any] = ["messages": Self.user, "max_tokens": 20, "temperature": 0]
            let full = try await client.post("/v1/chat/completions", request).object()
            let fullChoice = try #require((full["choices"] as? [[String: Any]])?.first)
            let fullText = try #require((fullChoice["message"] as? [String: Any])?["content"] as? String)
            var streamed = request
            streamed["stream"] = true
            let response = try await client.post("/v1/chat/completions", streamed)
            #expect(response.headers[.contentType] == "text/event-stream")
            let chunks = try response.events()
            #expect(chunks.count >= 2)
            let choices = try chunks.map { try #require(($0["choices"] as? [[String: Any]])?.first) }
            let deltas = try choices.map { try #require($0["delta"] as? [String: Any]) }
            #expect(deltas[0]["role"] as? String == "assistant")
            #expect(!((deltas[0]["content"] as? String) ?? "").isEmpty, "the first chunk carries the first text")
            #expect(deltas.dropFirst().allSatisfy { $0["role"] == nil })
            #expect(deltas.compactMap { $0["content"] as? String }.joined() == fullText)
            #expect(choices.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
            #expect(choices.last?["finish_reason"] as? String == fullChoice["finish_reason"] as? String)
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["usage"] == nil })
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
        }
    }

    @Test func includeUsageAddsAFinalChunkWithUsageAndNoChoices() async throws {
        try await ServerFixture.withServer { client in
            let chunks = try await client.post("/v1/chat/completions", [
                "messages": Self.user, "max_tokens": 6, "temperature": 0, "stream": true,
                "stream_options": ["include_usage": true, "apus_timings": true],
            ]).events()
            let last = try #require(chunks.last)
            #expect((last["choices"] as? [Any])?.isEmpty == true)
            let usage = try #require(last["usage"] as? [String: Any])
            #expect((usage["completion_tokens"] as? Int ?? 0) > 0)
            let timings = try #require(last["apus_timings"] as? [String: Any])
            #expect((timings["time_to_first_token"] as? Double ?? -1) >= (timings["queue_time"] as? Double ?? .infinity))
            #expect(chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
        }
    }

    @Test func nTwoWithASeedIsReproducible() async throws {
        try await ServerFixture.withServer { client in
            let request: [String: Any] = ["messages": Self.user, "max_tokens": 12, "temperature": 1.0, "n": 2, "seed": 99]
            let first = try await client.post("/v1/chat/completions", request).object()
            let second = try await client.post("/v1/chat/completions", request).object()
            let texts = { (body: [String: Any]) -> [String] in
                ((body["choices"] as? [[String: Any]]) ?? []).sorted { ($0["index"] as? Int ?? 0) < ($1["index"] as? Int ?? 0) }
                    .map { ($0["message"] as? [String: Any])?["content"] as? String ?? "" }
            }
            #expect(texts(first).count == 2)
            #expect(texts(first) == texts(second))
            #expect(((first["choices"] as? [[String: Any]]) ?? []).compactMap { $0["index"] as? Int }.sorted() == [0, 1])
        }
    }

    @Test func logprobsHaveOpenAIShape() async throws {
        try await ServerFixture.withServer { client in
            let body = try await client.post("/v1/chat/completions", [
                "messages": Self.user, "max_tokens": 5, "temperature": 0, "logprobs": true, "top_logprobs": 3,
            ]).object()
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            #expect(logprobs["refusal"] is NSNull)
            let content = try #require(logprobs["content"] as? [[String: Any]])
            #expect(content.count == (body["usage"] as? [String: Any])?["completion_tokens"] as? Int)
            for entry in content {
                #expect(entry["token"] is String && entry["bytes"] is [Int])
                let logprob = try #require(entry["logprob"] as? Double)
                #expect(logprob <= 0)
                let top = try #require(entry["top_logprobs"] as? [[String: Any]])
                #expect(top.count == 3)
                #expect((top.first?["logprob"] as? Double ?? -.infinity) >= logprob - 1e-4)
            }
        }
    }

    @Test func stopStringEndsTheTextAndIsNotEmitted() async throws {
        try await ServerFixture.withServer { client in
            let request: [String: Any] = ["messages": Self.user, "max_tokens": 24, "temperature": 0]
            let full = try await client.post("/v1/chat/completions", request).object()
            let text = try #require((((full["choices"] as? [[String: Any]])?.first)?["message"] as? [String: Any])?["content"] as? String)
            let words = text.split(separator: " ").filter { $0.count >= 2 }
            try #require(words.count >= 3, "\(text)")
            let stop = String(words[2])
            var stopped = request
            stopped["stop"] = stop
            let choice = try #require((try await client.post("/v1/chat/completions", stopped).object()["choices"] as? [[String: Any]])?.first)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == String(text[..<text.range(of: stop)!.lowerBound]))
            #expect(choice["finish_reason"] as? String == "stop")
        }
    }

    @Test func repeatedPromptReportsCachedTokens() async throws {
        try await ServerFixture.withServer { client in
            let messages: [[String: Any]] = [["role": "system", "content": String(repeating: "You are a helpful assistant. ", count: 12)],
                                             ["role": "user", "content": "Say hi."]]
            _ = try await client.post("/v1/chat/completions", ["messages": messages, "max_tokens": 2, "temperature": 0])
            let body = try await client.post("/v1/chat/completions", ["messages": messages, "max_tokens": 2, "temperature": 0]).object()
            let details = try #require((body["usage"] as? [String: Any])?["prompt_tokens_details"] as? [String: Any])
            #expect((details["cached_tokens"] as? Int ?? 0) > 0)
        }
    }

    @Test func promptLongerThanTheContextIs400WithBothLengths() async throws {
        try await ServerFixture.withServer { client in
            let long = String(repeating: "word ", count: 700)
            let response = try await client.post("/v1/chat/completions", ["messages": [["role": "user", "content": long]]])
            #expect(response.status == .badRequest)
            let error = try errorObject(response)
            #expect(error["code"] as? String == "context_length_exceeded")
            let message = try #require(error["message"] as? String)
            #expect(message.contains("\(ServerFixture.contextLength) tokens"))
            #expect(message.contains(where: \.isNumber) && message.range(of: #"prompt has \d{3,} tokens"#, options: .regularExpression) != nil)
        }
    }

    @Test func maxTokensBeyondTheContextIsClampedAndEndsWithLength() async throws {
        try await ServerFixture.withServer { client in
            let body = try await client.post("/v1/completions", [
                // Near the context, so only a few tokens fit: the request is clamped to them.
                "prompt": String(repeating: "word ", count: 490), "max_tokens": 1_000_000, "temperature": 0, "ignore_eos": true,
            ]).object()
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            let usage = try #require(body["usage"] as? [String: Any])
            #expect(usage["total_tokens"] as? Int == ServerFixture.contextLength)
        }
    }

    @Test func modelWithoutChatTemplateGets400OnChatOnly() async throws {
        try await ServerFixture.withServer(chatTemplate: false) { client in
            let chat = try await client.post("/v1/chat/completions", ["messages": Self.user])
            #expect(chat.status == .badRequest)
            #expect(try errorObject(chat)["code"] as? String == "chat_template_missing")
            let completion = try await client.post("/v1/completions", ["prompt": "Hi", "max_tokens": 2])
            #expect(completion.status == .ok)
        }
    }
}
