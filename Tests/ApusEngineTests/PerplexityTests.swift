import ApusEngine
import ApusGGUF
import ApusKernels
import ApusModels
import ApusTestSupport
import ApusTokenizer
import Foundation
import Testing

/// Perplexity on the same text and windows as llama.cpp (scripts/make-perplexity-fixtures.py)
/// must agree within 0.5%.
@Suite(.serialized) struct PerplexityTests {
    struct Fixture: Decodable { let context: Int; let chunks: Int; let tokens: Int; let ppl: Double; let error: Double }
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func matchesLlamaCpp(model name: String) throws {
        let fixtureURL = Self.fixtures.appendingPathComponent("perplexity-\(name).json")
        guard let path = try TestModels.path(name), FileManager.default.fileExists(atPath: fixtureURL.path) else { return }
        let reference = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL))
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("gpl-3.txt"), encoding: .utf8)
        let file = try GGUFFile(path: path)
        let model = try TransformerModel(file: file, pool: ThreadPool(threadCount: 2), maxBatchTokens: reference.context,
                                         maxLogitRows: reference.context, contextLength: reference.context)
        let tokenizer = try Tokenizer(file: file)
        #expect(tokenizer.encode(text).count == reference.tokens)
        let result = try PerplexityEvaluator(model: model, tokenizer: tokenizer, contextLength: reference.context)
            .evaluate(text, maxWindows: reference.chunks)
        let relative = abs(result.perplexity - reference.ppl) / reference.ppl
        print("\(name): PPL \(result.perplexity) ± \(result.error) vs llama.cpp \(reference.ppl) ± \(reference.error) (\(relative * 100)% apart)")
        #expect(result.windows == reference.chunks)
        #expect(relative < 0.005)
    }

    @Test func rejectsTextShorterThanTwoWindows() throws {
        guard let path = try TestModels.path("smollm2-135m") else { return }
        let file = try GGUFFile(path: path)
        let model = try TransformerModel(file: file, pool: ThreadPool(threadCount: 1), maxBatchTokens: 64,
                                         maxLogitRows: 64, contextLength: 64)
        let evaluator = PerplexityEvaluator(model: model, tokenizer: try Tokenizer(file: file), contextLength: 64)
        #expect(throws: PerplexityError.self) { try evaluator.evaluate("too short") }
    }
}
