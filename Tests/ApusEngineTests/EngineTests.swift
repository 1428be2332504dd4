import ApusEngine
import ApusGGUF
import ApusKernels
import ApusModels
import ApusSampling
import ApusTestSupport
import ApusTokenizer
import Foundation
import Testing

/// The serving engine end to end on real models (release mode; skipped locally when a
/// model is missing, required in CI).
@Suite(.serialized) struct EngineTests {
    /// A model, its tokenizer and an engine over it.
    struct Loaded {
        let model: TransformerModel
        let tokenizer: Tokenizer

        init?(_ name: String, batch: Int = 64, sequences: Int = 16, threads: Int = 2) throws {
            guard let path = try TestModels.path(name) else { return nil }
            let file = try GGUFFile(path: path)
            model = try TransformerModel(file: file, pool: ThreadPool(threadCount: threads), maxBatchTokens: batch,
                                         maxLogitRows: sequences, contextLength: 512)
            tokenizer = try Tokenizer(file: file)
        }

        func engine(sequences: Int = 16, batch: Int = 64, kvTokens: Int? = 4096, prefixCaching: Bool = true,
                    maxWaiting: Int = 256) throws -> Engine {
            var c = EngineConfiguration()
            c.maxSequences = sequences
            c.maxBatchTokens = batch
            c.kvCacheTokens = kvTokens
            c.prefixCaching = prefixCaching
            c.maxWaiting = maxWaiting
            return try Engine(model: model, tokenizer: tokenizer, configuration: c)
        }
    }

    static let texts = [
        "The capital of France is", "def fibonacci(n):", "Once upon a time, in a small village,",
        "List three prime numbers:", "import numpy as np\n", "The quick brown fox", "Question: what is 12 * 7?\nAnswer:",
        "Dear team, I am writing to", "In 1969, the first humans", "SELECT name FROM users WHERE",
        "A haiku about autumn:\n", "The mitochondria is", "fn main() {", "Translate to French: good morning ->",
        "My favourite colour is", "Water boils at",
    ]

    /// 16 greedy requests with staggered arrivals, small steps (prompts chunked, decodes mixed
    /// with prefills): each gets exactly the tokens it gets alone.
    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b", "gemma3-270m", "qwen2.5-coder-1.5b"])
    func concurrentGreedyRequestsMatchAlone(_ name: String) async throws {
        guard let loaded = try Loaded(name, batch: 48) else { return }
        let prompts = Self.texts.map { loaded.tokenizer.encode($0).map(Int.init) }
        let maxTokens = name.contains("1.5b") ? 12 : 20
        let alone = try loaded.engine(sequences: 1, batch: 48)
        var expected: [[Int]] = []
        for prompt in prompts {
            expected.append(try EngineTestSupport.complete(alone, prompt: prompt, maxTokens: maxTokens).tokens)
        }
        alone.shutdown()

        let engine = try loaded.engine(sequences: 16, batch: 48)
        defer { engine.shutdown() }
        let results = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (i, prompt) in prompts.enumerated() {
                if i % 4 == 0 { try await Task.sleep(for: .milliseconds(30)) }   // staggered arrivals
                var request = GenerationRequest(id: "r\(i)", prompt: prompt)
                request.stop.maxTokens = maxTokens
                group.addTask { (i, try await EngineTestSupport.collect(engine, request)[0].tokens) }
            }
            var results = Array(repeating: [Int](), count: prompts.count)
            for try await (i, tokens) in group { results[i] = tokens }
            return results
        }
        for i in prompts.indices { #expect(results[i] == expected[i], "request \(i) (\(Self.texts[i].debugDescription))") }
    }

    /// A cache too small for everyone: sequences are preempted and recomputed, and still
    /// produce exactly their unpreempted output.
    @Test func preemptedRequestsProduceTheirUnpreemptedOutput() async throws {
        guard let loaded = try Loaded("smollm2-135m", batch: 64) else { return }
        let prompts = Self.texts.prefix(6).map { loaded.tokenizer.encode($0).map(Int.init) }
        let alone = try loaded.engine(sequences: 1)
        let expected = try prompts.map { try EngineTestSupport.complete(alone, prompt: $0, maxTokens: 40).tokens }
        alone.shutdown()
        // 10 blocks of 16 positions: six sequences of ~50 positions cannot all fit.
        let engine = try loaded.engine(sequences: 6, batch: 64, kvTokens: 160)
        defer { engine.shutdown() }
        let results = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (i, prompt) in prompts.enumerated() {
                var request = GenerationRequest(id: "p\(i)", prompt: prompt)
                request.stop.maxTokens = 40
                group.addTask { (i, try await EngineTestSupport.collect(engine, request)[0].tokens) }
            }
            var results = Array(repeating: [Int](), count: prompts.count)
            for try await (i, tokens) in group { results[i] = tokens }
            return results
        }
        #expect(engine.metrics().preemptions > 0)
        for i in prompts.indices { #expect(results[i] == expected[i], "request \(i)") }
    }

    @Test func sharedPrefixIsServedFromTheCache() async throws {
        guard let loaded = try Loaded("smollm2-135m") else { return }
        let system = String(repeating: "You are a helpful assistant who answers briefly and politely. ", count: 8)
        let engine = try loaded.engine()
        defer { engine.shutdown() }
        let first = try EngineTestSupport.complete(engine, prompt: loaded.tokenizer.encode(system + "Hi!").map(Int.init), maxTokens: 4)
        #expect(first.usage.cachedTokens == 0)
        let prompt = loaded.tokenizer.encode(system + "What is 2+2?").map(Int.init)
        let second = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 4, id: "second")
        #expect(second.usage.cachedTokens >= 64)
        #expect(second.usage.cachedTokens % 16 == 0)
        #expect(engine.metrics().prefixCacheHitTokens >= second.usage.cachedTokens)

        let off = try loaded.engine(prefixCaching: false)
        defer { off.shutdown() }
        _ = try EngineTestSupport.complete(off, prompt: loaded.tokenizer.encode(system + "Hi!").map(Int.init), maxTokens: 4)
        #expect(try EngineTestSupport.complete(off, prompt: prompt, maxTokens: 4).usage.cachedTokens == 0)
    }

    @Test func droppedStreamCancelsAndFreesBlocks() async throws {
        guard let loaded = try Loaded("smollm2-135m") else { return }
        let engine = try loaded.engine()
        defer { engine.shutdown() }
        var request = GenerationRequest(id: "dropped", prompt: loaded.tokenizer.encode("Tell me a long story.").map(Int.init))
        request.stop.maxTokens = 400
        request.stop.ignoreEndOfGeneration = true
        var deltas = 0
        for await event in try engine.submit(request) {
            if case .delta = event { deltas += 1 }
            if deltas == 3 { break }   // the stream is dropped here
        }
        var metrics = engine.metrics()
        for _ in 0..<200 where metrics.running > 0 || metrics.kvCacheUsage > 0 {
            try await Task.sleep(for: .milliseconds(10))
            metrics = engine.metrics()
        }
        #expect(metrics.running == 0)
        #expect(metrics.kvCacheUsage == 0)
        #expect(metrics.generationTokens < 400)
        // The id is free again and the engine still serves.
        let again = try EngineTestSupport.complete(engine, prompt: request.prompt, maxTokens: 2, id: "dropped") {
            $0.stop.ignoreEndOfGeneration = true
        }
        #expect(again.tokens.count == 2, "\(again)")
    }

    @Test func stopStringsChoicesLogprobsAndSeeds() async throws {
        guard let loaded = try Loaded("smollm2-135m") else { return }
        let engine = try loaded.engine()
        defer { engine.shutdown() }
        let prompt = loaded.tokenizer.encode("Count: 1, 2, 3, 4,").map(Int.init)
        let free = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 12)
        // A stop string inside the greedy text: output ends before it, finish reason stop.
        let cut = try #require(free.text.range(of: "6"))
        let stopped = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 12, id: "stop") {
            $0.stop.stopStrings = ["6"]
        }
        #expect(stopped.finish == .stop && stopped.stopString == "6")
        #expect(stopped.text == String(free.text[..<cut.lowerBound]))

        // n = 3 with a seed: reproducible, choices differ from each other.
        var sampling = SamplingParameters()
        sampling.temperature = 1.2
        sampling.seed = 7
        var request = GenerationRequest(id: "n3", prompt: prompt, sampling: sampling, n: 3)
        request.stop.maxTokens = 16
        let a = try await EngineTestSupport.collect(engine, request)
        let b = try await EngineTestSupport.collect(engine, request)
        #expect(a.map(\.tokens) == b.map(\.tokens))
        #expect(Set(a.map(\.tokens)).count > 1)
        #expect(a[0].usage.completionTokens == a.reduce(0) { $0 + $1.tokens.count })

        // Logprobs: the greedy token is the top alternative, probabilities ≤ 1.
        let withLogprobs = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 4, id: "lp") { $0.logprobs = 5 }
        #expect(withLogprobs.logprobs.count == 4)
        for entry in withLogprobs.logprobs {
            #expect(entry.top.count == 5 && entry.top[0].token == entry.token && entry.logprob <= 0)
        }
        // min_tokens holds back the end token; ignore_eos runs to max_tokens.
        let long = try EngineTestSupport.complete(engine, prompt: prompt, maxTokens: 30, id: "eos") {
            $0.stop.ignoreEndOfGeneration = true
        }
        #expect(long.tokens.count == 30 && long.finish == .length)
    }

    @Test func invalidRequestsAndOverloadAreRefused() async throws {
        guard let loaded = try Loaded("smollm2-135m") else { return }
        let engine = try loaded.engine(sequences: 1, maxWaiting: 2)
        defer { engine.shutdown() }
        #expect(throws: EngineError.emptyPrompt) { _ = try engine.submit(GenerationRequest(id: "e", prompt: [])) }
        #expect(throws: EngineError.self) { _ = try engine.submit(GenerationRequest(id: "v", prompt: [1, 999_999])) }
        #expect(throws: EngineError.self) { _ = try engine.submit(GenerationRequest(id: "l", prompt: Array(repeating: 1, count: 600))) }
        #expect(throws: EngineError.self) { _ = try engine.submit(GenerationRequest(id: "n", prompt: [1], n: 0)) }
        var streams: [AsyncStream<GenerationEvent>] = []
        var overloaded = false
        for i in 0..<8 {
            var request = GenerationRequest(id: "o\(i)", prompt: [1, 2, 3])
            request.stop.maxTokens = 50
            request.stop.ignoreEndOfGeneration = true
            do { streams.append(try engine.submit(request)) } catch {
                if case .overloaded = error { overloaded = true }
            }
        }
        #expect(overloaded)
        for i in 0..<8 { engine.cancel(id: "o\(i)") }
        for stream in streams { for await _ in stream {} }
        #expect(engine.metrics().running == 0)
    }
}
