/// A pre-tokenizer regex in the small dialect llama.cpp's non-custom pre-tokenizers use
/// (sequences of character classes with `?`, `+`, `*`, `{n}`, `{n,m}`, and `$`), matched
/// the way llama.cpp runs them through std::regex:
///
/// - A pattern using `\p{..}` matches a "collapsed" text: codepoints below 128 stay, others
///   become one stand-in per class (whitespace, number, letter, punctuation, mark, symbol,
///   other), and `\p{X}` means that stand-in plus the ASCII members of X.
/// - A pattern without `\p{..}` matches the codepoints themselves, except that non-ASCII
///   whitespace reads as U+000B (so `\s` sees it and explicit ranges do not).
///
/// Splitting keeps both the matches and the text between them, as `unicode_regex_split_stl`.
struct SplitPattern: Sendable {
    private let pieces: [Piece]
    private let collapsed: Bool

    private struct Piece: Sendable {
        /// nil is the `$` anchor.
        let set: CharacterSet?
        let minimum: Int
        let maximum: Int
    }

    /// Codepoint ranges, possibly negated.
    struct CharacterSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        func contains(_ value: UInt32) -> Bool {
            var inside = false
            for range in ranges where range.contains(value) {
                inside = true
                break
            }
            return inside != negated
        }
    }

    // Stand-ins of the collapsed text (llama.cpp's k_ucat_cpt) and the ASCII members of each class.
    private static let standIn: [Character: UInt32] = ["N": 0xD1, "L": 0xD2, "P": 0xD3, "M": 0xD4, "S": 0xD5]
    private static let asciiMembers: [Character: [ClosedRange<UInt32>]] = [
        "N": [0x30...0x39],
        "L": [0x41...0x5A, 0x61...0x7A],
        "P": [0x21...0x23, 0x25...0x2A, 0x2C...0x2F, 0x3A...0x3B, 0x3F...0x40, 0x5B...0x5D, 0x5F...0x5F, 0x7B...0x7B, 0x7D...0x7D],
        "M": [],
        "S": [0x24...0x24, 0x2B...0x2B, 0x3C...0x3E, 0x5E...0x5E, 0x60...0x60, 0x7C...0x7C, 0x7E...0x7E],
    ]
    private static let whitespace: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20]

    /// Parses `source`.
    /// - Throws: `TokenizerError.invalidPattern` for syntax outside the supported dialect.
    init(_ source: String) throws {
        let scalars = Array(source.unicodeScalars.map(\.value))
        collapsed = source.contains("\\p{")
        var pieces: [Piece] = []
        var index = 0
        func fail(_ reason: String) -> TokenizerError { .invalidPattern(pattern: source, reason: reason) }

        // Reads `\p{X}` (index at the backslash) and returns the class letter.
        func property(at position: Int) throws -> (Character, Int) {
            guard position + 4 < scalars.count, scalars[position + 2] == 0x7B, scalars[position + 4] == 0x7D,
                  let letter = Unicode.Scalar(scalars[position + 3]).map(Character.init),
                  Self.standIn[letter] != nil else { throw fail("unsupported \\p{..} at \(position)") }
            return (letter, position + 5)
        }
        func propertyRanges(_ letter: Character) -> [ClosedRange<UInt32>] {
            let stand = Self.standIn[letter]!
            return [stand...stand] + Self.asciiMembers[letter]!
        }
        func escaped(_ value: UInt32) -> UInt32 {
            switch value {
            case 0x72: return 0x0D  // \r
            case 0x6E: return 0x0A  // \n
            case 0x74: return 0x09  // \t
            default: return value
            }
        }

        while index < scalars.count {
            var set = CharacterSet()
            var isAnchor = false
            let scalar = scalars[index]
            if scalar == 0x5B {  // [
                index += 1
                if index < scalars.count && scalars[index] == 0x5E { set.negated = true; index += 1 }
                while index < scalars.count && scalars[index] != 0x5D {
                    var low: UInt32
                    if scalars[index] == 0x5C {  // backslash
                        guard index + 1 < scalars.count else { throw fail("dangling escape") }
                        let next = scalars[index + 1]
                        if next == 0x70 {  // \p
                            let (letter, after) = try property(at: index)
                            set.ranges += propertyRanges(letter)
                            index = after
                            continue
                        }
                        if next == 0x73 { set.ranges += Self.whitespace; index += 2; continue }  // \s
                        low = escaped(next)
                        index += 2
                    } else {
                        low = scalars[index]
                        index += 1
                    }
                    if index + 1 < scalars.count && scalars[index] == 0x2D && scalars[index + 1] != 0x5D {  // a-b
                        var high = scalars[index + 1]
                        index += 2
                        if high == 0x5C {
                            guard index < scalars.count else { throw fail("dangling escape") }
                            high = escaped(scalars[index])
                            index += 1
                        }
                        guard low <= high else { throw fail("reversed range") }
                        set.ranges.append(low...high)
                    } else {
                        set.ranges.append(low...low)
                    }
                }
                guard index < scalars.count else { throw fail("unclosed [") }
                index += 1
            } else if scalar == 0x5C {
                guard index + 1 < scalars.count else { throw fail("dangling escape") }
                let next = scalars[index + 1]
                if next == 0x70 {
                    let (letter, after) = try property(at: index)
                    set.ranges = propertyRanges(letter)
                    index = after
                } else if next == 0x73 {
                    set.ranges = Self.whitespace
                    index += 2
                } else if next == 0x53 || next == 0x64 || next == 0x77 || next == 0x62 {
                    throw fail("\\\(Character(Unicode.Scalar(next)!)) is not supported")
                } else {
                    let value = escaped(next)
                    set.ranges = [value...value]
                    index += 2
                }
            } else if scalar == 0x24 {  // $
                isAnchor = true
                index += 1
            } else if [0x28, 0x29, 0x7C, 0x2E, 0x5E].contains(scalar) {  // ( ) | . ^
                throw fail("'\(Character(Unicode.Scalar(scalar)!))' (groups, alternation, any-character) is not supported")
            } else {
                set.ranges = [scalar...scalar]
                index += 1
            }
            var minimum = 1, maximum = 1
            if index < scalars.count {
                switch scalars[index] {
                case 0x3F: minimum = 0; maximum = 1; index += 1
                case 0x2B: minimum = 1; maximum = Int.max; index += 1
                case 0x2A: minimum = 0; maximum = Int.max; index += 1
                case 0x7B:
                    guard let close = scalars[index...].firstIndex(of: 0x7D) else { throw fail("unclosed {") }
                    let body = String(String.UnicodeScalarView(scalars[(index + 1)..<close].compactMap(Unicode.Scalar.init)))
                    let bounds = body.split(separator: ",", omittingEmptySubsequences: false)
                    guard let low = Int(bounds[0]) else { throw fail("bad repetition {\(body)}") }
                    minimum = low
                    maximum = bounds.count == 1 ? low : (bounds[1].isEmpty ? Int.max : Int(bounds[1]) ?? -1)
                    guard maximum >= minimum else { throw fail("bad repetition {\(body)}") }
                    index = close + 1
                default: break
                }
            }
            if isAnchor {
                guard minimum == 1 && maximum == 1 else { throw fail("quantified $") }
                pieces.append(Piece(set: nil, minimum: 1, maximum: 1))
            } else {
                pieces.append(Piece(set: set, minimum: minimum, maximum: maximum))
            }
        }
        guard !pieces.isEmpty else { throw fail("empty pattern") }
        self.pieces = pieces
    }

    /// The character the regex sees for the codepoint at `position`.
    @inline(__always)
    private func visible(_ scanner: SegmentScanner, _ position: Int) -> UInt32 {
        let value = scanner.codepoints[position]
        if value < 128 { return value }
        let flags = scanner.flags[position]
        if flags & UnicodeFlags.whitespace.rawValue != 0 { return 0x0B }
        guard collapsed else { return value }
        if flags & UnicodeFlags.number.rawValue != 0 { return 0xD1 }
        if flags & UnicodeFlags.letter.rawValue != 0 { return 0xD2 }
        if flags & UnicodeFlags.punctuation.rawValue != 0 { return 0xD3 }
        if flags & UnicodeFlags.mark.rawValue != 0 { return 0xD4 }
        if flags & UnicodeFlags.symbol.rawValue != 0 { return 0xD5 }
        return 0xD0
    }

    /// End of a match of pieces `from...` starting at `position`, or nil (greedy, backtracking).
    private func match(_ scanner: SegmentScanner, piece: Int, at position: Int) -> Int? {
        if piece == pieces.count { return position }
        let current = pieces[piece]
        guard let set = current.set else {
            return position == scanner.end ? match(scanner, piece: piece + 1, at: position) : nil
        }
        var count = 0
        while count < current.maximum && position + count < scanner.end && set.contains(visible(scanner, position + count)) {
            count += 1
        }
        // Before a final `$` only the longest run can succeed; deciding it here keeps
        // `\s+$` linear on long runs of spaces instead of backtracking through each length.
        if piece + 2 == pieces.count && pieces[piece + 1].set == nil {
            return count >= current.minimum && position + count == scanner.end ? scanner.end : nil
        }
        while count >= current.minimum {
            if let end = match(scanner, piece: piece + 1, at: position + count) { return end }
            count -= 1
        }
        return nil
    }

    /// Splits the scanner's segment into matches and the gaps between them.
    func split(_ scanner: SegmentScanner, into ends: inout [Int]) {
        var position = scanner.start
        var gapStart = scanner.start
        while position < scanner.end {
            if let end = match(scanner, piece: 0, at: position), end > position {
                if position > gapStart { ends.append(position) }
                ends.append(end)
                position = end
                gapStart = end
            } else {
                position += 1
            }
        }
        if scanner.end > gapStart { ends.append(scanner.end) }
    }
}
