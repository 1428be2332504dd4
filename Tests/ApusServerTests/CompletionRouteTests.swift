import Foundation
import HummingbirdTesting
import Testing

/// `POST /v1/completions` on the real smollm2-135m: prompt forms, choice indices, echo,
/// legacy logprobs, streaming.
@Suite(.enabled(if: modelAvailable)) struct CompletionRouteTests {
    private func texts(_ body: [String: Any]) -> [String] {
        ((body["choices"] as? [[String: Any]]) ?? []).sorted { ($0["index"] as? Int ?? 0) < ($1["index"] as? Int ?? 0) }
            .map { $0["text"] as? String ?? "<missing>" }
    }

    @Test func everyPromptFormGivesTheSameGreedyText() async throws {
        try await ServerFixture.withServer { client in
            let base: [String: Any] = ["max_tokens": 8, "temperature": 0]
            let single = try await client.post("/v1/completions", base.merging(["prompt": "Once upon a time"]) { $1 }).object()
            #expect(single["object"] as? String == "text_completion")
            let text = try #require(texts(single).first)
            #expect(!text.isEmpty)
            let tokens = try #require(try await client.post("/tokenize", ["prompt": "Once upon a time"]).object()["tokens"] as? [Int])
            let byIDs = try await client.post("/v1/completions", base.merging(["prompt": tokens]) { $1 }).object()
            #expect(texts(byIDs) == [text])
            let lists = try await client.post("/v1/completions", base.merging(["prompt": [tokens, tokens]]) { $1 }).object()
            #expect(texts(lists) == [text, text])
            let many = try await client.post("/v1/completions", base.merging(["prompt": ["Once upon a time", "The sky is"], "n": 2]) { $1 }).object()
            let manyTexts = texts(many)
            #expect(manyTexts.count == 4)
            #expect(manyTexts[0] == text && manyTexts[1] == text)
            let usage = try #require(many["usage"] as? [String: Any])
            #expect((usage["prompt_tokens"] as? Int ?? 0) >= 2 * tokens.count - 2)
        }
    }

    @Test func echoPrefixesThePrompt() async throws {
        try await ServerFixture.withServer { client in
            let plain = try await client.post("/v1/completions", ["prompt": "The sky is", "max_tokens": 6, "temperature": 0]).object()
            let echoed = try await client.post("/v1/completions", ["prompt": "The sky is", "max_tokens": 6, "temperature": 0, "echo": true]).object()
            #expect(texts(echoed) == texts(plain).map { "The sky is" + $0 })
            let streamed = try await client.post("/v1/completions", [
                "prompt": "The sky is", "max_tokens": 6, "temperature": 0, "echo": true, "stream": true,
            ]).events()
            let joined = streamed.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }.joined()
            #expect(joined == texts(echoed).first)
        }
    }

    @Test func legacyLogprobsAreParallelArrays() async throws {
        try await ServerFixture.withServer { client in
            let body = try await client.post("/v1/completions", ["prompt": "The sky is", "max_tokens": 5, "temperature": 0, "logprobs": 2]).object()
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            let tokens = try #require(logprobs["tokens"] as? [String])
            let values = try #require(logprobs["token_logprobs"] as? [Double])
            let top = try #require(logprobs["top_logprobs"] as? [[String: Double]])
            let offsets = try #require(logprobs["text_offset"] as? [Int])
            #expect(tokens.count == (body["usage"] as? [String: Any])?["completion_tokens"] as? Int)
            #expect(values.count == tokens.count && top.count == tokens.count && offsets.count == tokens.count)
            #expect(tokens.joined() == choice["text"] as? String)
            #expect(offsets.first == 0 && offsets == offsets.sorted())
            #expect(top.allSatisfy { !$0.isEmpty && $0.count <= 2 })
            #expect(values.allSatisfy { $0 <= 0 })
        }
    }

    @Test func streamingMatchesTheFullResponseAndEndsWithUsage() async throws {
        try await ServerFixture.withServer { client in
            let request: [String: Any] = ["prompt": "Once upon a time", "max_tokens": 16, "temperature": 0]
            let full = try await client.post("/v1/completions", request).object()
            let chunks = try await client.post("/v1/completions", request.merging([
                "stream": true, "stream_options": ["include_usage": true],
            ]) { $1 }).events()
            let text = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }.joined()
            #expect(text == texts(full).first)
            let usage = try #require(chunks.last?["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == (full["usage"] as? [String: Any])?["completion_tokens"] as? Int)
            let finish = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(finish == [(full["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String ?? ""])
        }
    }

    @Test func bannedTokenNeverAppears() async throws {
        try await ServerFixture.withServer { client in
            let request: [String: Any] = ["prompt": "The sky is", "max_tokens": 6, "temperature": 0, "logprobs": 0]
            let plain = try await client.post("/v1/completions", request).object()
            let tokens = try #require(try await client.post("/tokenize", [
                "prompt": texts(plain).first ?? "", "add_special_tokens": false,
            ]).object()["tokens"] as? [Int])
            let first = try #require(tokens.first)
            let banned = try await client.post("/v1/completions", request.merging(["logit_bias": ["\(first)": -100]]) { $1 }).object()
            let bannedTokens = try #require(try await client.post("/tokenize", [
                "prompt": texts(banned).first ?? "", "add_special_tokens": false,
            ]).object()["tokens"] as? [Int])
            #expect(bannedTokens.first != first)
            #expect(texts(banned) != texts(plain))
        }
    }
}
