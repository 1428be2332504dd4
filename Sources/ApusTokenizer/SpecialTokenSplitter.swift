/// A piece of input after special tokens are cut out: raw text (a byte range) or a token.
enum Fragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

/// Cuts special-token text out of the input before normal tokenization, with the result
/// of llama.cpp's `tokenizer_st_partition`: special tokens are tried longest first; each
/// one splits every remaining text fragment at its leftmost non-overlapping occurrences.
///
/// llama.cpp searches the whole text once per special token (thousands for Gemma); here one
/// pass over the text with a trie finds every occurrence of every special token, and each
/// token then replays only its own occurrences, which gives the same fragments.
struct SpecialTokenSplitter: Sendable {
    /// Trie over special-token texts: node 0 is the root.
    private let children: [[UInt8: Int32]]
    /// Tokens whose text ends at each node.
    private let terminals: [[Int32]]

    init(texts: TokenTextTable, tokens: [Int32]) {
        var children: [[UInt8: Int32]] = [[:]]
        var terminals: [[Int32]] = [[]]
        for id in tokens {
            var node = 0
            for byte in texts.text(of: id) {
                if let child = children[node][byte] {
                    node = Int(child)
                } else {
                    children.append([:])
                    terminals.append([])
                    children[node][byte] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            terminals[node].append(id)
        }
        self.children = children
        self.terminals = terminals
    }

    /// Splits `text` into fragments.
    /// - Parameters:
    ///   - parseSpecial: when false, control and unknown tokens stay plain text; user-defined
    ///     tokens are still cut out, as in llama.cpp and Hugging Face.
    func split(_ text: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, parseSpecial: Bool) -> [Fragment] {
        guard text.count > 0 else { return [] }
        let occurrences = findOccurrences(text, vocabulary: vocabulary, parseSpecial: parseSpecial)
        var fragments: [Fragment] = [.text(0..<text.count)]
        guard !occurrences.isEmpty else { return fragments }
        for id in vocabulary.specialTokensByPriority {
            guard let positions = occurrences[id] else { continue }
            fragments = Self.apply(id, positions: positions, to: fragments, text: text, vocabulary: vocabulary)
        }
        return fragments
    }

    /// Every start position of every eligible special token, ascending per token.
    private func findOccurrences(_ text: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, parseSpecial: Bool) -> [Int32: [Int]] {
        var found: [Int32: [Int]] = [:]
        let root = children[0]
        for start in 0..<text.count {
            guard var node = root[text[start]] else { continue }
            var position = start + 1
            while true {
                for id in terminals[Int(node)] {
                    let attributes = vocabulary.attributes[Int(id)]
                    if !parseSpecial && !attributes.isDisjoint(with: [.control, .unknown]) { continue }
                    found[id, default: []].append(start)
                }
                guard position < text.count, let child = children[Int(node)][text[position]] else { break }
                node = child
                position += 1
            }
        }
        return found
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Splits each text fragment at this token's occurrences, leftmost first, skipping
    /// occurrences that overlap an earlier match or cross a fragment boundary.
    private static func apply(_ id: Int32, positions: [Int], to fragments: [Fragment],
                              text: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary) -> [Fragment] {
        let length = vocabulary.texts.text(of: id).count
        let attributes = vocabulary.attributes[Int(id)]
        var result: [Fragment] = []
        result.reserveCapacity(fragments.count + positions.count * 2)
        var cursor = 0
        for fragment in fragments {
            guard case .text(let range) = fragment else {
                result.append(fragment)
                continue
            }
            var searchFrom = range.lowerBound
            var matched = false
            while cursor < positions.count && positions[cursor] < searchFrom { cursor += 1 }
            while cursor < positions.count {
                let match = positions[cursor]
                if match < searchFrom { cursor += 1; continue }
                if match + length > range.upperBound { break }
                matched = true
                var leftEnd = match
                if attributes.contains(.leftStrip) {
                    while leftEnd > searchFrom && isSpace(text[leftEnd - 1]) { leftEnd -= 1 }
                }
                if leftEnd > searchFrom { result.append(.text(searchFrom..<leftEnd)) }
                result.append(.token(id))
                searchFrom = match + length
                if attributes.contains(.rightStrip) {
                    while searchFrom < range.upperBound && isSpace(text[searchFrom]) { searchFrom += 1 }
                }
                cursor += 1
            }
            if !matched {
                result.append(fragment)
            } else if searchFrom < range.upperBound {
                result.append(.text(searchFrom..<range.upperBound))
            }
        }
        return result
    }
}
