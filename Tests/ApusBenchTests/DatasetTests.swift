import Foundation
import Testing
@testable import ApusBench

/// Prompts of the asked lengths, reproducible from the seed; the JSON-lines dataset read,
/// filtered and its errors named by line.
@Suite struct DatasetTests {
    @Test func randomPromptsHaveTheAskedLengths() throws {
        let dataset = try SyntheticDataset(inputTokens: 64, outputTokens: 32)
        let requests = dataset.requests(count: 10, seed: 3, tokenizer: WordTokenizer())
        #expect(requests.count == 10)
        for request in requests {
            #expect(WordTokenizer().count(request.prompt) == 64)
            #expect(request.promptTokens == 64 && request.outputTokens == 32)
        }
        #expect(Set(requests.map(\.prompt)).count == 10)
        #expect(requests == dataset.requests(count: 10, seed: 3, tokenizer: WordTokenizer()))
        #expect(requests != dataset.requests(count: 10, seed: 4, tokenizer: WordTokenizer()))
    }

    @Test func rangeRatioBoundsLengths() throws {
        let requests = try SyntheticDataset(inputTokens: 100, outputTokens: 10, rangeRatio: 0.5)
            .requests(count: 200, seed: 1, tokenizer: WordTokenizer())
        #expect(requests.allSatisfy { (50...150).contains($0.promptTokens) && (5...15).contains($0.outputTokens) })
        #expect(Set(requests.map(\.promptTokens)).count > 20)
        #expect(throws: BenchError.self) { try SyntheticDataset(inputTokens: 10, outputTokens: 10, rangeRatio: 1) }
    }

    @Test func sharedPrefixIsShared() throws {
        let requests = try SyntheticDataset(inputTokens: 8, outputTokens: 4, prefixTokens: 50)
            .requests(count: 5, seed: 2, tokenizer: WordTokenizer())
        let prefix = WordTokenizer().truncate(requests[0].prompt, toTokens: 50)
        for request in requests {
            #expect(request.prompt.hasPrefix(prefix + " "))
            #expect(WordTokenizer().count(request.prompt) == 58)
            #expect(request.promptTokens == 58)
        }
        #expect(Set(requests.map(\.prompt)).count == 5)
    }

    /// A tokenizer that splits long words in two, so prompts must be grown and cut to measure.
    struct SplittingTokenizer: PromptTokenizer {
        func pieces(_ text: String) -> [String] {
            text.split(separator: " ").flatMap { word in word.count > 4 ? [String(word.prefix(3)), String(word.dropFirst(3))] : [String(word)] }
        }
        func count(_ text: String) -> Int { pieces(text).count }
        func truncate(_ text: String, toTokens tokens: Int) -> String {
            var result: [String] = []
            var used = 0
            for word in text.split(separator: " ") {
                let cost = word.count > 4 ? 2 : 1
                if used + cost > tokens { break }
                result.append(String(word))
                used += cost
            }
            return result.joined(separator: " ")
        }
    }

    @Test func promptsAreMadeToMeasureWithARealTokenizer() throws {
        let requests = try SyntheticDataset(inputTokens: 40, outputTokens: 4).requests(count: 20, seed: 9, tokenizer: SplittingTokenizer())
        // Cutting at word boundaries may leave one token short when a two-token word straddles the end.
        #expect(requests.allSatisfy { (39...40).contains(SplittingTokenizer().count($0.prompt)) })
    }

    @Test func conversationFileIsReadShuffledAndFiltered() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bench-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = [
            #"{"conversations":[{"from":"human","value":"one two three four five"},{"from":"gpt","value":"a b c d e f"}]}"#,
            #"{"conversations":[{"from":"human","value":"too short"},{"from":"gpt","value":"a b c d e f"}]}"#,
            #"{"conversations":[{"from":"human","value":"only one turn here ok"}]}"#,
            #"{"prompt":"six words are in this prompt","output_len":12}"#,
            "",
            #"{"prompt":"the reply gives the length here","completion":"w x y z"}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let dataset = try ConversationDataset(path: path)
        let requests = try dataset.requests(count: 3, seed: 0, tokenizer: WordTokenizer())
        #expect(Set(requests.map(\.prompt)) == ["one two three four five", "six words are in this prompt", "the reply gives the length here"])
        let byPrompt = Dictionary(uniqueKeysWithValues: requests.map { ($0.prompt, $0) })
        #expect(byPrompt["one two three four five"]?.outputTokens == 6)
        #expect(byPrompt["six words are in this prompt"]?.outputTokens == 12)
        #expect(byPrompt["the reply gives the length here"]?.outputTokens == 4)
        #expect(byPrompt["one two three four five"]?.promptTokens == 5)
        #expect(try dataset.requests(count: 3, seed: 0, tokenizer: WordTokenizer(), outputTokens: 7).allSatisfy { $0.outputTokens == 7 })
        #expect(throws: BenchError.tooFewPrompts(available: 3, requested: 4)) {
            try dataset.requests(count: 4, seed: 0, tokenizer: WordTokenizer())
        }
    }

    @Test func badLinesAreNamed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bench-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"prompt\":\"fine prompt of words\"}\n{broken\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: BenchError.invalidDatasetLine(path: path, line: 2, reason: "not valid JSON")) { try ConversationDataset(path: path) }
        #expect(throws: BenchError.self) { try ConversationDataset(path: path + ".missing") }
    }
}
