import ApusGrammar
import Testing

/// Jump-forward: forced bytes and the tokens returned for them.
@Suite struct JumpForwardTests {
    static let compiler = TestVocabulary.compiler()

    @Test func forcedBytesStopAtTheFirstChoice() throws {
        let schema = #"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}"#
        let matcher = try Self.compiler.compile(.jsonSchema(schema)).makeConstraint()
        #expect(String(decoding: matcher.forcedBytes(), as: UTF8.self) == "{\"name\":")
        #expect(matcher.accept(bytes: Array("{\"name\": \"x\",".utf8)))
        #expect(String(decoding: matcher.forcedBytes(), as: UTF8.self) == "")
        #expect(matcher.accept(bytes: Array(" ".utf8)))
        #expect(String(decoding: matcher.forcedBytes(), as: UTF8.self) == "\"age\":")
    }

    @Test func forcedTokensAreWhollyForcedAndHoldBackTheLast() throws {
        let matcher = try Self.compiler.compile(.choice(["name\"}"])).makeConstraint()
        // The whole output is forced and ends the match, so every token is returned.
        let tokens = matcher.forcedTokens()
        let bytes = tokens.flatMap { matcher.grammar.trie.bytes(of: $0) }
        #expect(String(decoding: bytes, as: UTF8.self) == "name\"}")
        for token in tokens { #expect(matcher.accept(token)) }
        #expect(matcher.isTerminated)

        let open = try Self.compiler.compile(.regex("abcd[xy]")).makeConstraint()
        let partial = open.forcedTokens()
        let partialBytes = partial.flatMap { open.grammar.trie.bytes(of: $0) }
        // "abcd" is forced; the last token is held back since it could merge with what follows.
        #expect(!partial.isEmpty && "abcd".hasPrefix(String(decoding: partialBytes, as: UTF8.self)) && partialBytes.count < 4)
    }

    @Test func forcedTokensFollowTheTokenizerOverUnicode() throws {
        let matcher = try Self.compiler.compile(.regex("日本(a|b)")).makeConstraint()
        #expect(matcher.forcedBytes().count == 6)
        let tokens = matcher.forcedTokens()
        let bytes = tokens.flatMap { matcher.grammar.trie.bytes(of: $0) }
        // A prefix of the tokenizer's own tokens for the forced text (this vocabulary has no
        // merges, so they are single bytes), the last held back.
        let expected = TestVocabulary.shared.encode("日本", addSpecial: false).map(Int.init)
        #expect(tokens == Array(expected.dropLast()))
        #expect(Array("日本".utf8).starts(with: bytes))
        let emoji = try Self.compiler.compile(.regex("😀[ab]")).makeConstraint()
        for token in emoji.forcedTokens() { #expect(emoji.accept(token)) }
    }

    @Test func nothingIsForcedWhenTheOutputMayEnd() throws {
        let matcher = try Self.compiler.compile(.regex("ab(cd)?")).makeConstraint()
        #expect(matcher.accept(bytes: Array("ab".utf8)))
        #expect(matcher.isComplete && !matcher.isTerminated)
        #expect(matcher.forcedBytes().isEmpty && matcher.forcedTokens().isEmpty)
    }
}
