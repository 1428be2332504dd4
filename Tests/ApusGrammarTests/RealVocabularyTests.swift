import ApusGGUF
import ApusGrammar
import ApusTestSupport
import ApusTokenizer
import Testing

/// Masks on qwen2.5-coder-0.5b's 151k-token vocabulary equal the brute-force reference at
/// every step of a valid output (skipped when the model is absent outside CI; release mode).
@Suite struct RealVocabularyTests {
    static func compiler() throws -> GrammarCompiler? {
        guard let path = try TestModels.path("qwen2.5-coder-0.5b") else { return nil }
        return GrammarCompiler(tokenizer: try Tokenizer(file: GGUFFile(path: path)))
    }

    static let cases: [(GrammarSource, String)] = [
        (.jsonSchema(#"{"type":"object","properties":{"name":{"type":"string","maxLength":20},"age":{"type":"integer","minimum":0,"maximum":150},"tags":{"type":"array","items":{"enum":["a","b c","日本"]},"maxItems":3}},"required":["name","age"]}"#),
         #"{"name": "Zoë \"Z\" Ng", "age": 41, "tags": ["b c", "日本"]}"#),
        (.jsonObject, #"{"k": [1, -2.5e3, true, null, {"x": "😀\n"}], "end": {}}"#),
        (.jsonSchema(#"{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"}},"required":["when","id"]}"#),
         #"{"when": "2024-02-29T23:59:01.5+05:30", "id": "123e4567-e89b-12d3-a456-426614174000"}"#),
        (.gbnf("root ::= \"SELECT \" [a-z_]+ (\", \" [a-z_]+)* \" FROM \" [a-z_]+ \";\""), "SELECT id, user_name FROM accounts;"),
    ]

    @Test(arguments: 0..<cases.count)
    func maskEqualsBruteForceAtEveryStep(index: Int) throws {
        guard let compiler = try Self.compiler() else { return }
        let (source, output) = Self.cases[index]
        let matcher = try compiler.compile(source).makeConstraint()
        let trie = compiler.trie
        let tokens = compiler.tokenizer!.encode(output, addSpecial: false).map(Int.init)
        for (step, token) in tokens.enumerated() {
            let mask = matcher.allowedTokens()
            var wrong: [Int] = []
            for candidate in 0..<trie.vocabularySize {
                let bytes = trie.bytes(of: candidate)
                let expected = !bytes.isEmpty && matcher.allows(bytes: bytes)
                if expected != mask.contains(candidate) { wrong.append(candidate) }
            }
            #expect(wrong.isEmpty, "step \(step): \(wrong.count) tokens differ, e.g. \(wrong.prefix(5).map { String(decoding: trie.bytes(of: $0), as: UTF8.self) })")
            #expect(mask.contains(token), "step \(step): the output's own token is masked")
            #expect(matcher.accept(token))
        }
        #expect(matcher.isComplete)
    }

    @Test func specialTokensNeverAllowed() throws {
        guard let compiler = try Self.compiler() else { return }
        let vocabulary = compiler.tokenizer!.vocabulary
        let matcher = try compiler.compile(.regex("[\\s\\S]*")).makeConstraint()
        let mask = matcher.allowedTokens()
        for id in 0..<vocabulary.count where vocabulary.isSpecial(Int32(id)) {
            #expect(!mask.contains(id), "special token \(vocabulary.text(of: Int32(id)))")
        }
        #expect(!mask.contains(Int(vocabulary.id(of: "<tool_call>") ?? 0)) || vocabulary.id(of: "<tool_call>") == nil)
        #expect(mask.count > 100_000)
    }

    @Test func jumpForwardUsesTheModelsTokenization() throws {
        guard let compiler = try Self.compiler() else { return }
        let tokenizer = compiler.tokenizer!
        let schema = #"{"type":"object","properties":{"customer_identifier":{"type":"integer"},"shipping_address":{"type":"string"}},"required":["customer_identifier","shipping_address"]}"#
        let matcher = try compiler.compile(.jsonSchema(schema)).makeConstraint()
        let forced = matcher.forcedTokens()
        let text = String(decoding: forced.flatMap { compiler.trie.bytes(of: $0) }, as: UTF8.self)
        #expect(!forced.isEmpty)
        #expect("{\"customer_identifier\":".hasPrefix(text))
        // The forced tokens are what the tokenizer makes of that text.
        #expect(tokenizer.encode(text, addSpecial: false).map(Int.init) == forced)
        for token in forced { #expect(matcher.accept(token)) }
    }
}
