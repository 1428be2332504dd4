import ApusGrammar
import ApusTokenizer

/// Small byte-level vocabularies built from strings, so mask tests can enumerate every
/// token and compare with a brute-force reference.
enum TestVocabulary {
    /// GPT-2's byte-to-character map (printable bytes map to themselves, others above U+0100).
    static let byteCharacters: [Character] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var result = [Character](repeating: " ", count: 256)
        var extra = 0
        for byte in 0..<256 {
            if printable.contains(byte) {
                result[byte] = Character(Unicode.Scalar(UInt32(byte))!)
            } else {
                result[byte] = Character(Unicode.Scalar(UInt32(256 + extra))!)
                extra += 1
            }
        }
        printable.removeAll()
        return result
    }()

    /// Pieces every test vocabulary has: every single byte, as in any byte-level BPE
    /// vocabulary (so any valid text can be written).
    static let asciiPieces: [[UInt8]] = (0...255).map { [UInt8($0)] }

    /// Multi-byte pieces that cross JSON's grammar elements, Unicode, and lone UTF-8 bytes.
    static let jsonPieces: [[UInt8]] = [
        "{\"", "\":", "\",", "\"}", "\": \"", ", \"", "\"]", "[\"", "{}", "[]", "true", "false", "null", "nu", "ll",
        "name", "age", "id", "12", "345", "0.", ".5", "e+", "-1", " \"", "\n", "  ", "\\n", "\\\"", "\\u00", "é", "\"é",
        "😀", "日本", "abc", "a\"", "\"a", "}]", "]}", ",\"", "\":\"", "\":{\"", "\"},{\"", "2024", "-01-", "T12", ":00",
        "Z\"", "@example", ".com", "ab12", "xyz", "\t", "\u{1F}",
    ].map { Array($0.utf8) } + [[0xC3], [0xA9], [0xF0, 0x9F], [0x98, 0x80], [0xE6]]

    /// A tokenizer whose normal tokens are exactly `pieces` (deduplicated), plus a control
    /// token `<|im_end|>` and a user-defined token `<tool_call>` that grammars must never allow.
    static func tokenizer(pieces: [[UInt8]] = asciiPieces + jsonPieces) throws -> Tokenizer {
        var seen: Set<[UInt8]> = []
        var tokens: [String] = []
        for piece in pieces where seen.insert(piece).inserted {
            tokens.append(String(piece.map { byteCharacters[Int($0)] }))
        }
        let normalCount = tokens.count
        tokens += ["<|im_end|>", "<tool_call>"]
        var source = VocabularySource(model: "gpt2", tokens: tokens)
        source.preTokenizer = "qwen2"
        source.merges = []
        source.tokenTypes = Array(repeating: 1, count: normalCount) + [3, 4]
        source.addBOS = false
        source.eosID = normalCount
        return Tokenizer(vocabulary: try Vocabulary(source))
    }

    /// The shared test tokenizer.
    nonisolated(unsafe) static let shared: Tokenizer = try! tokenizer()

    /// A compiler over the shared test tokenizer.
    static func compiler(whitespace: JSONWhitespace = .singleSpace) -> GrammarCompiler {
        GrammarCompiler(tokenizer: shared, whitespace: whitespace)
    }
}
