import ApusTokenizer
import Foundation
import Testing

/// Ids, decoding and round trips on the real models against llama.cpp's results for the
/// committed corpus (scripts/make-tokenizer-fixtures.py). qwen2.5-coder-1.5b shares the
/// 0.5B's tokenizer; its fixture was produced from its own file all the same.
@Suite struct RealModelCorpusTests {
    static let models = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]

    @Test(arguments: models)
    func idsMatchLlamaCpp(model: String) throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: model) else { return }
        let corpus = try TokenizerFixtures.corpus()
        let cases = try TokenizerFixtures.cases(model)
        #expect(corpus.count >= 300)
        #expect(corpus.count == cases.count)
        var matched = 0
        for (text, reference) in zip(corpus, cases) {
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            #expect(ids == reference.ids, "\(model): \(text.debugDescription)")
            if ids == reference.ids { matched += 1 }
        }
        #expect(matched == corpus.count)
    }

    @Test(arguments: models)
    func idsWithParsedSpecialsMatchLlamaCpp(model: String) throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: model) else { return }
        let corpus = try TokenizerFixtures.corpus()
        let cases = try TokenizerFixtures.cases(model)
        for (text, reference) in zip(corpus, cases) {
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            #expect(ids == reference.special ?? reference.ids, "\(model): \(text.debugDescription)")
        }
    }

    @Test(arguments: models)
    func decodeMatchesLlamaCppAndRoundTrips(model: String) throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: model) else { return }
        let corpus = try TokenizerFixtures.corpus()
        let cases = try TokenizerFixtures.cases(model)
        var roundTrips = 0
        for (text, reference) in zip(corpus, cases) {
            let decoded = tokenizer.decode(reference.ids)
            #expect(decoded == reference.decoded ?? text, "\(model): \(text.debugDescription)")
            // Where llama.cpp round-trips, so must we.
            if reference.decoded == nil {
                #expect(tokenizer.decode(tokenizer.encode(text)) == text)
                roundTrips += 1
            }
        }
        #expect(roundTrips > corpus.count / 2)
    }

    @Test(arguments: models)
    func streamingEqualsOneShotDecode(model: String) throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: model) else { return }
        for text in try TokenizerFixtures.corpus() {
            let ids = tokenizer.encode(text, addSpecial: false)
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var joined = ""
            for id in ids { joined += stream.append(id) }
            joined += stream.finish()
            #expect(joined == tokenizer.decode(ids), "\(model): \(text.debugDescription)")
        }
    }
}

/// Special ids resolved as llama.cpp resolves them.
@Suite struct RealModelSpecialTokenTests {
    /// `llama_vocab_is_eog` over the whole vocabulary, read with llama-cpp-python 0.3.36.
    static let llamaCppEndOfGeneration: [String: Set<Int32>] = [
        "smollm2-135m": [0, 2, 4],
        "gemma3-270m": [1, 106, 212],
        "qwen2.5-coder-0.5b": [128247, 151643, 151645, 151662, 151663, 151664],
    ]

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func endOfGenerationSetMatchesLlamaCpp(model: String) throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: model) else { return }
        #expect(tokenizer.vocabulary.endOfGeneration == Self.llamaCppEndOfGeneration[model])
    }

    @Test func chatControlTokensNeedParseSpecial() throws {
        guard let tokenizer = try TokenizerFixtures.cachedTokenizer(model: "qwen2.5-coder-0.5b") else { return }
        let imEnd = try #require(tokenizer.vocabulary.id(of: "<|im_end|>"))
        #expect(tokenizer.vocabulary.eot == imEnd)
        #expect(tokenizer.encode("<|im_end|>", parseSpecial: true) == [imEnd])
        let typed = tokenizer.encode("<|im_end|>", parseSpecial: false)
        #expect(!typed.contains(imEnd))
        #expect(tokenizer.decode(typed) == "<|im_end|>")
    }
}
