/// Turns generated token ids, one at a time, into text deltas that are always valid UTF-8.
///
/// Bytes of a character split across tokens (byte-fallback `<0xXX>` tokens, or byte-level
/// BPE tokens that end mid-character) are held back until the character is complete. The
/// concatenated deltas equal `Tokenizer.decode` of the same ids (without HF's space clean-up,
/// which needs look-ahead; none of the supported chat models enables it).
public struct StreamingDetokenizer: Sendable {
    /// The tokenizer whose pieces are joined.
    public let tokenizer: Tokenizer
    /// Whether control tokens (`<|im_end|>`) are left out of the text.
    public let skipSpecial: Bool
    private var pending: [UInt8] = []
    private var atStart = true

    /// A detokenizer for one stream of ids.
    /// - Parameters:
    ///   - skipSpecial: leave control tokens out (true) or show their text (false).
    public init(tokenizer: Tokenizer, skipSpecial: Bool = true) {
        self.tokenizer = tokenizer
        self.skipSpecial = skipSpecial
    }

    /// Adds one token and returns the text it completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        var piece = tokenizer.piece(id, special: !skipSpecial)[...]
        // SentencePiece vocabularies put a space before the first word; llama.cpp's
        // detokenizer drops it from the first piece of a sequence.
        if atStart && tokenizer.vocabulary.addSpacePrefix && piece.first == 0x20 { piece = piece.dropFirst() }
        atStart = false
        pending.append(contentsOf: piece)
        return takeComplete()
    }

    /// Ends the stream: returns held-back bytes, with incomplete sequences as U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Emits the longest prefix of `pending` that does not end inside a UTF-8 sequence
    /// that could still be completed; invalid bytes are emitted (as U+FFFD) right away.
    private mutating func takeComplete() -> String {
        let keep = Self.incompleteSuffixLength(pending)
        guard pending.count > keep else { return "" }
        let ready = pending[..<(pending.count - keep)]
        let text = String(decoding: ready, as: UTF8.self)
        pending.removeFirst(pending.count - keep)
        return text
    }

    /// How many trailing bytes form the start of a multi-byte sequence still missing bytes.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        var back = 0
        var index = bytes.count - 1
        // Walk back over at most 3 continuation bytes to the lead byte.
        while index >= 0 && back < 3 && bytes[index] & 0xC0 == 0x80 {
            index -= 1
            back += 1
        }
        guard index >= 0 else { return 0 }
        let lead = bytes[index]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return 0
        }
        let have = back + 1
        return have < needed ? have : 0
    }
}
