/// Text ⇄ token ids for one vocabulary, matching llama.cpp's `llama_tokenize` and
/// `llama_detokenize` exactly.
///
/// Immutable and Sendable; every call allocates its own scratch state, so one tokenizer
/// serves all threads.
public struct Tokenizer: Sendable {
    /// The vocabulary this tokenizer encodes with.
    public let vocabulary: Vocabulary

    /// A tokenizer for `vocabulary`.
    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// The token ids of `text`.
    /// - Parameters:
    ///   - addSpecial: add BOS/EOS if the vocabulary asks for them.
    ///   - parseSpecial: let control-token text (`<|im_start|>`) become control tokens. Keep
    ///     false for text a user wrote, so typing `<|im_end|>` gives ordinary pieces.
    /// - Returns: ids, each in `0..<vocabulary.count`.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            encode(utf8: buffer, addSpecial: addSpecial, parseSpecial: parseSpecial)
        }
    }

    /// The token ids of UTF-8 `text`; see `encode(_:addSpecial:parseSpecial:)`.
    public func encode(utf8 text: UnsafeBufferPointer<UInt8>, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.count / 3 + 4)
        let fragments = vocabulary.specialSplitter.split(text, vocabulary: vocabulary, parseSpecial: parseSpecial)
        if addSpecial && vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        switch vocabulary.model {
        case .sentencePiece:
            encodeSentencePiece(fragments, text: text, into: &output)
        case .bytePairEncoding:
            var splitter = PreTokenizerRun(rules: vocabulary.splitRules)
            var encoder = BytePairEncoder()
            for fragment in fragments {
                switch fragment {
                case .token(let id):
                    output.append(id)
                case .text(let range):
                    let slice = UnsafeBufferPointer(rebasing: text[range])
                    splitter.forEachWord(in: slice) { word in
                        encoder.encode(word: word, vocabulary: vocabulary, into: &output)
                    }
                }
            }
        }
        if addSpecial && vocabulary.addEOS, let eos = vocabulary.eos { output.append(eos) }
        return output
    }

    private func encodeSentencePiece(_ fragments: [Fragment], text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        var encoder = SentencePieceEncoder()
        var escaped: [UInt8] = []
        // The first text, and text right after a special token, gets the space prefix.
        var previousWasSpecial = true
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                output.append(id)
                previousWasSpecial = true
            case .text(let range):
                escaped.removeAll(keepingCapacity: true)
                if vocabulary.addSpacePrefix && previousWasSpecial { escaped.append(contentsOf: Self.spaceMarker) }
                for byte in text[range] {
                    if byte == 0x20 { escaped.append(contentsOf: Self.spaceMarker) } else { escaped.append(byte) }
                }
                escaped.withUnsafeBufferPointer { encoder.encode($0, vocabulary: vocabulary, into: &output) }
                previousWasSpecial = false
            }
        }
    }

    /// SentencePiece's visible space, U+2581 `▁`.
    static let spaceMarker: [UInt8] = [0xE2, 0x96, 0x81]
}
