import ApusGGUF
import ApusTestSupport
import ApusTokenizer
import Foundation
import Testing

/// llama.cpp's own tokenizer tests: `models/ggml-vocab-NAME.gguf` with `.inp` (cases
/// separated by `__ggml_vocab_test__` lines) and `.out` (ids per case, one line each),
/// tokenized without special tokens as llama.cpp's test-tokenizer-0 does.
@Suite struct LlamaCppVocabularyTests {
    /// The vocabularies Apus claims: every case must pass.
    static let claimed = [
        "gpt-2", "llama-bpe", "qwen2", "qwen35", "starcoder", "refact", "command-r", "mpt", "falcon",
        "deepseek-llm", "deepseek-coder", "llama-spm", "phi-3",
    ]

    /// Vocabularies whose tokenizer Apus does not implement; loading them must fail with a
    /// clear error rather than tokenize wrongly.
    static let unsupported = ["bert-bge", "gemma-4", "nomic-bert-moe"]

    static func cases(_ name: String, in directory: String) throws -> [(text: String, ids: [Int32])] {
        let base = directory + "/ggml-vocab-\(name).gguf"
        let inputs = try String(contentsOfFile: base + ".inp", encoding: .utf8).components(separatedBy: "\n__ggml_vocab_test__\n")
        let outputs = try String(contentsOfFile: base + ".out", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        return zip(inputs, outputs).map { text, line in
            (text, line.split(separator: " ").compactMap { Int32($0) })
        }
    }

    @Test(arguments: claimed)
    func everyCasePasses(vocabulary name: String) throws {
        guard let directory = try TestModels.llamaCppModels() else { return }
        let tokenizer = try Tokenizer(file: GGUFFile(path: directory + "/ggml-vocab-\(name).gguf"))
        let cases = try Self.cases(name, in: directory)
        #expect(cases.count > 40)
        for (text, expected) in cases {
            #expect(tokenizer.encode(text, addSpecial: false, parseSpecial: false) == expected, "\(name): \(text.debugDescription)")
        }
    }

    /// Vocabulary-only files without .inp/.out tests, checked on the corpus instead
    /// (fixtures from scripts/make-tokenizer-fixtures.py): gpt-neox and aquila use the
    /// "default" pre-tokenizer, baichuan is SentencePiece.
    static let corpusChecked = ["gpt-neox", "aquila", "baichuan"]

    @Test(arguments: corpusChecked)
    func corpusMatchesLlamaCpp(vocabulary name: String) throws {
        guard let directory = try TestModels.llamaCppModels() else { return }
        let tokenizer = try Tokenizer(file: GGUFFile(path: directory + "/ggml-vocab-\(name).gguf"))
        let corpus = try TokenizerFixtures.corpus()
        let cases = try TokenizerFixtures.cases("vocab-\(name)")
        #expect(corpus.count == cases.count)
        for (text, reference) in zip(corpus, cases) {
            #expect(tokenizer.encode(text) == reference.ids, "\(name): \(text.debugDescription)")
            #expect(tokenizer.encode(text, parseSpecial: true) == reference.special ?? reference.ids,
                    "\(name) parsing specials: \(text.debugDescription)")
            #expect(tokenizer.decode(reference.ids) == reference.decoded ?? text, "\(name) decode: \(text.debugDescription)")
        }
    }

    @Test(arguments: unsupported)
    func unsupportedVocabulariesFailClearly(vocabulary name: String) throws {
        guard let directory = try TestModels.llamaCppModels() else { return }
        let file = try GGUFFile(path: directory + "/ggml-vocab-\(name).gguf")
        #expect(throws: TokenizerError.self) { try Tokenizer(file: file) }
    }
}

/// Inputs that could make a pre-tokenizer slow must stay fast.
@Suite struct PreTokenizerStressTests {
    @Test(.timeLimit(.minutes(1)))
    func longWhitespaceRunsStayLinear() throws {
        guard let directory = try TestModels.llamaCppModels() else { return }
        // deepseek-llm's `\s+$` rule would backtrack quadratically through a naive matcher.
        let tokenizer = try Tokenizer(file: GGUFFile(path: directory + "/ggml-vocab-deepseek-llm.gguf"))
        let text = "a" + String(repeating: " ", count: 200_000) + "b" + String(repeating: "\t ", count: 50_000)
        let ids = tokenizer.encode(text, addSpecial: false)
        #expect(!ids.isEmpty)
        #expect(tokenizer.decode(ids) == text)
    }
}
