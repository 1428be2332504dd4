import ApusTokenizer
import Testing

/// Behaviour on hand-made vocabularies small enough to reason about by hand.
@Suite struct SmallVocabularyTests {
    /// Byte-level BPE over a, b, c, space (written Ġ) plus a control and a user-defined token.
    static func byteLevel(merges: [String], extra: [String] = []) throws -> Tokenizer {
        let base = ["a", "b", "c", "Ġ", "<|im_end|>", "<tool>"]
        var source = VocabularySource(model: "gpt2", tokens: base + extra)
        source.preTokenizer = "gpt-2"
        source.merges = merges
        source.tokenTypes = [1, 1, 1, 1, 3, 4] + extra.map { _ in 1 }
        source.addBOS = false
        return Tokenizer(vocabulary: try Vocabulary(source))
    }

    /// SentencePiece with ▁ words, byte fallback for a few bytes, and `<start_of_turn>`.
    static func sentencePiece(addSpacePrefix: Bool = true) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>", "<start_of_turn>", "▁", "h", "i", "▁h", "▁hi", "hi"]
        var types = [2, 3, 3, 3, 1, 1, 1, 1, 1, 1]
        var scores: [Float] = [0, 0, 0, 0, -1, -2, -2, -3, -1, -5]
        for byte in [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80] {
            tokens.append("<0x" + String(byte, radix: 16, uppercase: true) + ">")
            types.append(6)
            scores.append(0)
        }
        var source = VocabularySource(model: "llama", tokens: tokens)
        source.scores = scores
        source.tokenTypes = types
        source.addSpacePrefix = addSpacePrefix
        return Tokenizer(vocabulary: try Vocabulary(source))
    }

    @Test func lowestRankMergesFirst() throws {
        // "b c" outranks "a b", so "abc" becomes a + bc, not ab + c.
        let tokenizer = try Self.byteLevel(merges: ["b c", "a b"], extra: ["bc", "ab"])
        #expect(tokenizer.encode("abc") == [0, 6])
        let swapped = try Self.byteLevel(merges: ["a b", "b c"], extra: ["bc", "ab"])
        #expect(swapped.encode("abc") == [7, 2])
    }

    @Test func spacesBecomeTheByteLevelMarker() throws {
        let tokenizer = try Self.byteLevel(merges: ["Ġ a"], extra: ["Ġa"])
        #expect(tokenizer.encode("a a") == [0, 6])
        #expect(tokenizer.decode([0, 6]) == "a a")
    }

    @Test func controlTokenTextIsOnlyParsedWhenAsked() throws {
        let tokenizer = try Self.byteLevel(merges: [])
        #expect(tokenizer.encode("a<|im_end|>", parseSpecial: true) == [0, 4])
        let plain = tokenizer.encode("a<|im_end|>", parseSpecial: false)
        #expect(!plain.contains(4))
        // Characters missing from this tiny vocabulary are dropped, as llama.cpp does.
        #expect(plain.first == 0)
    }

    @Test func userDefinedTokensAreAlwaysCutOut() throws {
        let tokenizer = try Self.byteLevel(merges: [])
        #expect(tokenizer.encode("a<tool>b", parseSpecial: false) == [0, 5, 1])
    }

    @Test func sentencePieceMergesByScoreAndPrefixesASpace() throws {
        let tokenizer = try Self.sentencePiece()
        // BOS, then "▁hi" (the highest-scoring merge path).
        #expect(tokenizer.encode("hi") == [1, 8])
        #expect(tokenizer.encode("hi", addSpecial: false) == [8])
        #expect(tokenizer.decode([8]) == "hi")
        #expect(try Self.sentencePiece(addSpacePrefix: false).encode("hi", addSpecial: false) == [9])
    }

    @Test func sentencePieceFallsBackToBytes() throws {
        let tokenizer = try Self.sentencePiece(addSpacePrefix: false)
        let ids = tokenizer.encode("é", addSpecial: false)
        #expect(ids.map { tokenizer.vocabulary.text(of: $0) } == ["<0xC3>", "<0xA9>"])
        #expect(tokenizer.decode(ids) == "é")
    }

    @Test func specialTokenResetsTheSpacePrefix() throws {
        let tokenizer = try Self.sentencePiece()
        #expect(tokenizer.encode("hi<start_of_turn>hi", addSpecial: false, parseSpecial: true) == [8, 3, 8])
    }

    @Test func streamingHoldsBackSplitCharacters() throws {
        let tokenizer = try Self.sentencePiece(addSpacePrefix: false)
        let ids = tokenizer.encode("😀", addSpecial: false)
        #expect(ids.count == 4)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let deltas = ids.map { stream.append($0) }
        #expect(deltas == ["", "", "", "😀"])
        #expect(stream.finish() == "")
    }

    @Test func streamingFlushesAnIncompleteTailAsReplacement() throws {
        let tokenizer = try Self.sentencePiece(addSpacePrefix: false)
        let ids = tokenizer.encode("😀", addSpecial: false)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(ids[0]) == "")
        #expect(stream.append(ids[1]) == "")
        #expect(stream.finish() == "\u{FFFD}")
    }

    @Test func streamingSkipsOrShowsSpecialTokens() throws {
        let tokenizer = try Self.sentencePiece()
        var skipping = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(skipping.append(3) == "")
        var showing = StreamingDetokenizer(tokenizer: tokenizer, skipSpecial: false)
        #expect(showing.append(3) == "<start_of_turn>")
    }

    @Test func badIdsDecodeToNothing() throws {
        let tokenizer = try Self.sentencePiece()
        #expect(tokenizer.decode([-1, 999_999]) == "")
        #expect(tokenizer.piece(Int32.max).isEmpty)
    }

    @Test func unsupportedInputsFailWithClearErrors() throws {
        #expect(throws: TokenizerError.unsupportedModel("bert")) {
            try Vocabulary(VocabularySource(model: "bert", tokens: ["a"]))
        }
        var unknownPre = VocabularySource(model: "gpt2", tokens: ["a"])
        unknownPre.preTokenizer = "no-such-family"
        unknownPre.merges = []
        #expect(throws: TokenizerError.unsupportedPreTokenizer("no-such-family")) { try Vocabulary(unknownPre) }
        var noMerges = VocabularySource(model: "gpt2", tokens: ["a"])
        noMerges.preTokenizer = "gpt-2"
        #expect(throws: TokenizerError.missingKey("tokenizer.ggml.merges")) { try Vocabulary(noMerges) }
        var shortScores = VocabularySource(model: "llama", tokens: ["a", "b"])
        shortScores.scores = [0]
        #expect(throws: TokenizerError.lengthMismatch(key: "tokenizer.ggml.scores", expected: 2, found: 1)) {
            try Vocabulary(shortScores)
        }
        #expect(TokenizerError.unsupportedPreTokenizer("x").description.contains("PreTokenizer.table"))
    }

    @Test func unicodeClassesFollowUnicode15() {
        #expect(UnicodeFlags.of(0xE9).contains(.letter))          // é
        #expect(UnicodeFlags.of(0x0663).contains(.number))        // Arabic-Indic three
        #expect(UnicodeFlags.of(0x3000).contains(.whitespace))    // ideographic space
        #expect(UnicodeFlags.of(0x0301).contains(.mark))          // combining acute
        #expect(UnicodeFlags.of(0x2E80).contains(.symbol))        // CJK radical
        #expect(UnicodeFlags.of(0x1F600).contains(.symbol))       // 😀
        #expect(UnicodeFlags.of(0x110000) == [])
    }
}
