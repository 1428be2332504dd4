extension Tokenizer {
    /// The bytes token `id` stands for, as llama.cpp's `llama_token_to_piece`.
    /// - Parameters:
    ///   - special: render control and unknown tokens as their text; when false they are empty.
    /// - Returns: raw bytes, which may be part of a UTF-8 sequence (byte tokens, split characters).
    public func piece(_ id: Int32, special: Bool = false) -> [UInt8] {
        guard id >= 0 && Int(id) < vocabulary.count else { return [] }
        let attributes = vocabulary.attributes[Int(id)]
        let text = vocabulary.texts.text(of: id)
        if !attributes.isDisjoint(with: [.control, .unknown]) {
            return special ? Array(text) : []
        }
        if attributes.contains(.userDefined) { return Array(text) }
        if attributes.contains(.normal) {
            switch vocabulary.model {
            case .sentencePiece: return Self.unescapeSpaces(text)
            case .bytePairEncoding: return Self.byteLevelDecode(text)
            }
        }
        if attributes.contains(.byte), text.count >= 5 {
            let hex = String(decoding: text[(text.startIndex + 3)..<(text.startIndex + 5)], as: UTF8.self)
            return UInt8(hex, radix: 16).map { [$0] } ?? []
        }
        return []
    }

    /// The text of `ids`, as llama.cpp's `llama_detokenize`.
    /// - Parameters:
    ///   - removeSpecial: drop a leading BOS and trailing EOS that the vocabulary adds.
    ///   - renderSpecial: show control tokens as their text.
    /// - Returns: the text; byte sequences that are not valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int32], removeSpecial: Bool = true, renderSpecial: Bool = false) -> String {
        var tokens = ids[...]
        var removeSpace = vocabulary.addSpacePrefix
        if removeSpecial && vocabulary.addBOS, let first = tokens.first, first == vocabulary.bos {
            removeSpace = false
            tokens = tokens.dropFirst()
        }
        if removeSpecial && vocabulary.addEOS, let last = tokens.last, last == vocabulary.eos {
            tokens = tokens.dropLast()
        }
        var bytes: [UInt8] = []
        for id in tokens {
            var piece = piece(id, special: renderSpecial)[...]
            if removeSpace && piece.first == 0x20 { piece = piece.dropFirst() }
            removeSpace = false
            bytes.append(contentsOf: piece)
        }
        if vocabulary.cleanSpaces { bytes = Self.cleanSpaces(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `▁` back to a space.
    static func unescapeSpaces(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == 0xE2 && index + 2 < text.endIndex && text[index + 1] == 0x96 && text[index + 2] == 0x81 {
                out.append(0x20)
                index += 3
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return out
    }

    /// GPT-2 alphabet characters back to bytes; a character outside the alphabet becomes
    /// llama.cpp's `[UNK_BYTE_0x..]` marker so output stays identical.
    static func byteLevelDecode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        let string = String(decoding: text, as: UTF8.self)
        for scalar in string.unicodeScalars {
            if let byte = ByteLevelAlphabet.byte(of: scalar.value) {
                out.append(byte)
            } else {
                let encoded = utf8Bytes(of: scalar.value)
                out.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                for byte in encoded {
                    let hex = String(byte, radix: 16)
                    out.append(contentsOf: Array((hex.count == 1 ? "0" + hex : hex).utf8))
                }
                out.append(contentsOf: Array(text))
                out.append(UInt8(ascii: "]"))
            }
        }
        return out
    }

    /// Hugging Face's `clean_up_tokenization_spaces`, pass for pass as llama.cpp applies it:
    /// drop the space before `?!.,`, around a lone `'`, and before `'s 'm 're 've`.
    static func cleanSpaces(_ input: [UInt8]) -> [UInt8] {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        var text = input
        // Pass 1: " ?", " !", " .", " ,".
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for (index, byte) in text.enumerated() {
            if index > 0 && text[index - 1] == space && (byte == UInt8(ascii: "?") || byte == UInt8(ascii: "!")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",")) {
                out.removeLast()
            }
            out.append(byte)
        }
        text = out
        // Pass 2: " ' " becomes "'". llama.cpp blanks the skipped space in place, so a
        // following quote no longer sees a space before it; `text` is mutated the same way.
        out.removeAll(keepingCapacity: true)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if index > 0 && byte == quote && index + 1 < text.count && text[index - 1] == space && text[index + 1] == space {
                out.removeLast()
                out.append(byte)
                text[index + 1] = 0
                index += 2
                continue
            }
            out.append(byte)
            index += 1
        }
        text = out
        // Pass 3: " 's", " 'm", " 're", " 've" lose the space.
        out.removeAll(keepingCapacity: true)
        for index in text.indices {
            let byte = text[index]
            if index > 0 && text[index - 1] == space && byte == quote && index + 1 < text.count {
                let next = text[index + 1]
                if next == UInt8(ascii: "s") || next == UInt8(ascii: "m") {
                    out.removeLast()
                } else if index + 2 < text.count && ((next == UInt8(ascii: "r") && text[index + 2] == UInt8(ascii: "e"))
                    || (next == UInt8(ascii: "v") && text[index + 2] == UInt8(ascii: "e"))) {
                    out.removeLast()
                }
            }
            out.append(byte)
        }
        return out
    }
}
