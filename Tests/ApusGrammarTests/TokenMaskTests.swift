import ApusGrammar
import ApusSampling
import ApusTokenizer
import Testing

/// The mask never excludes a token that could continue a valid output and never includes
/// one that cannot, checked against a brute-force reference over a small vocabulary.
@Suite struct TokenMaskTests {
    static let compiler = TestVocabulary.compiler()

    static let sources: [GrammarSource] = [
        .jsonObject,
        .regex("(ab|c)+[0-9]{2,3}\\.?"),
        .regex("[^\"]{0,5}é?😀*"),
        .choice(["name", "names", "nam", "日本", "\"a"]),
        .gbnf("root ::= \"{\" pair (\",\" pair)* \"}\"\npair ::= [a-z]+ \":\" (root | [0-9]+)"),
        .jsonSchema(#"{"type":"object","properties":{"name":{"type":"string","maxLength":3},"age":{"type":"integer","minimum":1,"maximum":120},"tags":{"type":"array","items":{"enum":["a","é","x\"y"]}}},"required":["name"]}"#),
        .jsonSchema(##"{"$defs":{"t":{"type":"object","properties":{"id":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/t"}}},"required":["id","kids"]}},"$ref":"#/$defs/t"}"##),
        .jsonSchema(#"{"type":"string","format":"date-time"}"#),
    ]

    @Test(arguments: 0..<sources.count)
    func maskMatchesBruteForceOnRandomWalks(index: Int) throws {
        let grammar = try Self.compiler.compile(Self.sources[index])
        for seed in UInt64(1)...6 {
            let walk = RandomWalk(grammar, seed: seed &* 7919 &+ UInt64(index))
            #expect(walk.mismatches.isEmpty, "source \(index) seed \(seed): \(walk.mismatches.prefix(5)) after \(String(decoding: walk.output, as: UTF8.self).debugDescription)")
            #expect(walk.completed, "source \(index) seed \(seed) did not complete: \(String(decoding: walk.output, as: UTF8.self).debugDescription)")
        }
    }

    @Test func specialTokensAreNeverAllowed() throws {
        let vocabulary = TestVocabulary.shared.vocabulary
        let control = Int(vocabulary.id(of: "<|im_end|>")!), userDefined = Int(vocabulary.id(of: "<tool_call>")!)
        for source in [GrammarSource.jsonObject, .regex(".*"), .gbnf("root ::= [^x]*")] {
            let matcher = try Self.compiler.compile(source).makeConstraint()
            let mask = matcher.allowedTokens()
            #expect(!mask.contains(control) && !mask.contains(userDefined))
            #expect(!matcher.accept(control) && !matcher.accept(userDefined))
        }
        // Even a grammar whose text is a special token's text allows only ordinary pieces.
        let matcher = try Self.compiler.compile(.choice(["<|im_end|>"])).makeConstraint()
        #expect(!matcher.allowedTokens().contains(control))
        #expect(matcher.allowedTokens().contains(Int(vocabulary.id(of: "<")!)))
    }

    @Test func tokensSpanningGrammarElementsAreAllowed() throws {
        let vocabulary = TestVocabulary.shared.vocabulary
        func id(_ text: String) -> Int { Int(vocabulary.id(of: String(text.utf8.map { TestVocabulary.byteCharacters[Int($0)] }))!) }
        let schema = #"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#
        let matcher = try Self.compiler.compile(.jsonSchema(schema)).makeConstraint()
        #expect(matcher.allowedTokens().contains(id("{\"")))
        #expect(matcher.accept(id("{\"")) && matcher.accept(id("name")))
        // `": "` covers the end of the key, the colon, the optional space and the string's quote.
        #expect(matcher.allowedTokens().contains(id("\": \"")))
        #expect(matcher.accept(id("\": \"")))
        #expect(matcher.allowedTokens().contains(id("a\"")) && !matcher.allowedTokens().contains(id("\",")))
        #expect(matcher.accept(id("é")) && matcher.accept(id("\"}")))
        #expect(matcher.isComplete && matcher.isTerminated)
        #expect(matcher.allowedTokens().count == 0)
    }

    @Test func splitUTF8BytesAreAllowedOnlyAsValidSequences() throws {
        let vocabulary = TestVocabulary.shared.vocabulary
        func id(_ bytes: [UInt8]) -> Int { Int(vocabulary.id(of: String(bytes.map { TestVocabulary.byteCharacters[Int($0)] }))!) }
        let matcher = try Self.compiler.compile(.regex("é+")).makeConstraint()
        let mask = matcher.allowedTokens()
        #expect(mask.contains(id([0xC3])) && !mask.contains(id([0xA9])) && !mask.contains(id([0xF0, 0x9F])))
        #expect(matcher.accept(id([0xC3])))
        #expect(!matcher.isComplete)
        let next = matcher.allowedTokens()
        #expect(next.contains(id([0xA9])) && next.count == 1)
        #expect(matcher.accept(id([0xA9])) && matcher.isComplete)
        let emoji = try Self.compiler.compile(.regex("😀")).makeConstraint()
        #expect(emoji.accept(id([0xF0, 0x9F])) && emoji.accept(id([0x98, 0x80])) && emoji.isComplete)
    }

    @Test func restrictOnlyClearsBits() throws {
        let matcher = try Self.compiler.compile(.choice(["ab", "abc"])).makeConstraint()
        var mask = TokenMask(vocabularySize: TestVocabulary.shared.vocabulary.count, allowed: false)
        mask.insert(0)
        matcher.restrict(&mask)
        #expect(mask.count <= 1)
        let full = matcher.allowedTokens()
        #expect(full.count >= 2)
    }
}

/// Compile-time behaviour: eager table preparation and the size limit.
@Suite struct CompileLimitTests {
    @Test func preparedTablesGiveTheSameMasks() throws {
        let source = GrammarSource.jsonSchema(#"{"type":"array","items":{"type":"string","maxLength":4},"maxItems":2}"#)
        let lazy = try TestVocabulary.compiler().compile(source)
        let eager = try TestVocabulary.compiler().compile(source)
        eager.prepareAllStates()
        #expect(eager.preparedStateCount > 0 && lazy.preparedStateCount == 0)
        let first = lazy.makeConstraint(), second = eager.makeConstraint()
        for text in ["", "[", "[\"", "[\"ab", "[\"abcd\"", "[\"abcd\",", "[\"abcd\", \"\"]"] {
            let a = lazy.makeConstraint(), b = eager.makeConstraint()
            #expect(a.accept(bytes: Array(text.utf8)) && b.accept(bytes: Array(text.utf8)))
            #expect(a.allowedTokens() == b.allowedTokens(), "after \(text)")
        }
        #expect(first.allowedTokens() == second.allowedTokens())
    }

    @Test func automatonBlowUpIsATypedError() {
        // A regex whose deterministic automaton needs 2^21 states.
        #expect(throws: GrammarError.self) { try GrammarAutomaton(GrammarSource.regex("[ab]*a[ab]{20}").grammar()) }
        #expect(throws: GrammarError.self) { try GrammarAutomaton(GrammarSource.regex("((a{1000}){1000}){1000}").grammar()) }
    }
}
