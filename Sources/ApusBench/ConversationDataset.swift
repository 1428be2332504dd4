import Foundation

/// The `sharegpt-like` dataset: real prompts from a JSON-lines file (or one JSON array),
/// each line either ShareGPT's `{"conversations": [{"from": "human", "value": …},
/// {"from": "gpt", "value": …}, …]}` or `{"prompt": …, "output_len": N}` /
/// `{"prompt": …, "completion": …}`. Shuffled by the seed and filtered as vLLM filters
/// ShareGPT (prompt and reply at least 4 tokens, prompt at most 1,024, both at most 2,048).
public struct ConversationDataset: Sendable {
    /// One usable entry: the prompt and the length of the reference reply.
    struct Entry: Sendable {
        let prompt: String
        let reply: String?
        let outputLength: Int?
    }

    private let entries: [Entry]
    private let path: String

    /// Reads `path`.
    /// - Throws: `BenchError.unreadableDataset` or `.invalidDatasetLine` naming the line.
    public init(path: String) throws {
        self.path = path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BenchError.unreadableDataset(path: path, reason: error.localizedDescription)
        }
        let text = String(decoding: data, as: UTF8.self)
        var objects: [(line: Int, value: Any)] = []
        if text.drop(while: \.isWhitespace).first == "[" {
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                throw BenchError.invalidDatasetLine(path: path, line: 1, reason: "the file starts with `[` but is not a JSON array")
            }
            objects = array.enumerated().map { (line: $0.offset + 1, value: $0.element) }
        } else {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy(\.isWhitespace) {
                guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else {
                    throw BenchError.invalidDatasetLine(path: path, line: number + 1, reason: "not valid JSON")
                }
                objects.append((line: number + 1, value: value))
            }
        }
        entries = try objects.compactMap { try Self.entry(from: $0.value, line: $0.line, path: path) }
    }

    /// `count` requests after shuffling with `seed` and filtering by length.
    /// - Parameter outputTokens: overrides every reply length (vLLM's `--sharegpt-output-len`).
    /// - Throws: `BenchError.tooFewPrompts` when fewer entries pass the filter.
    public func requests(count: Int, seed: UInt64, tokenizer: any PromptTokenizer,
                         outputTokens: Int? = nil) throws -> [BenchmarkRequest] {
        var generator = SeededGenerator(seed: seed)
        var result: [BenchmarkRequest] = []
        for entry in entries.shuffled(using: &generator) where result.count < count {
            let promptTokens = tokenizer.count(entry.prompt)
            let replyTokens = outputTokens ?? entry.outputLength ?? entry.reply.map(tokenizer.count) ?? 0
            guard promptTokens >= 4, replyTokens >= 4 || outputTokens != nil,
                  promptTokens <= 1024, promptTokens + replyTokens <= 2048 || outputTokens != nil else { continue }
            result.append(BenchmarkRequest(prompt: entry.prompt, promptTokens: promptTokens, outputTokens: replyTokens))
        }
        guard result.count == count else { throw BenchError.tooFewPrompts(available: result.count, requested: count) }
        return result
    }

    private static func entry(from value: Any, line: Int, path: String) throws -> Entry? {
        guard let object = value as? [String: Any] else {
            throw BenchError.invalidDatasetLine(path: path, line: line, reason: "not a JSON object")
        }
        if let conversation = object["conversations"] as? [[String: Any]] {
            // ShareGPT: the first turn is the prompt, the second the reference reply; shorter
            // conversations are skipped, as vLLM skips them.
            guard conversation.count >= 2, let prompt = conversation[0]["value"] as? String,
                  let reply = conversation[1]["value"] as? String else { return nil }
            return Entry(prompt: prompt, reply: reply, outputLength: nil)
        }
        if let prompt = object["prompt"] as? String {
            return Entry(prompt: prompt, reply: object["completion"] as? String, outputLength: object["output_len"] as? Int)
        }
        throw BenchError.invalidDatasetLine(path: path, line: line, reason: "neither `conversations` nor `prompt` found")
    }
}
