/// Parses the ECMAScript regular-expression subset people write in schemas and regex
/// constraints: alternation, groups (capturing, `(?:`, named), `?` `*` `+` `{m}` `{m,}`
/// `{m,n}` (lazy forms allowed), classes with ranges and negation, `.`, the escapes
/// `\d \w \s \D \W \S \n \r \t \f \v \0 \xHH \uHHHH \u{H…}` and escaped punctuation,
/// and `^`/`$` at the ends. Lookaround, backreferences and word boundaries are errors.
struct RegexParser {
    private let scalars: [UInt32]
    private let pattern: String
    private var position = 0
    /// Whether the pattern started with `^` / ended with `$`.
    private(set) var anchoredStart = false
    private(set) var anchoredEnd = false
    /// Repetition counts above this are refused (each count unrolls into automaton states).
    static let countLimit = 1000

    /// Parses `pattern`.
    init(_ pattern: String) {
        self.pattern = pattern
        scalars = pattern.unicodeScalars.map(\.value)
    }

    /// The parsed expression; anchors are reported in `anchoredStart`/`anchoredEnd`.
    mutating func parse() throws(GrammarError) -> RegexNode {
        if peek == 0x5E { anchoredStart = true; position += 1 }
        var end = scalars.count
        if end > position, scalars[end - 1] == 0x24, !isEscaped(at: end - 1) {
            anchoredEnd = true
            end -= 1
        }
        let node = try alternation(end: end)
        guard position == end else { throw error("unmatched ')'") }
        return node
    }

    private func isEscaped(at index: Int) -> Bool {
        var backslashes = 0
        var cursor = index - 1
        while cursor >= 0 && scalars[cursor] == 0x5C { backslashes += 1; cursor -= 1 }
        return backslashes % 2 == 1
    }

    private var peek: UInt32? { position < scalars.count ? scalars[position] : nil }

    private func error(_ what: String) -> GrammarError { .invalidRegex(what, pattern: pattern, offset: position) }

    private mutating func alternation(end: Int) throws(GrammarError) -> RegexNode {
        var alternatives = [try sequence(end: end)]
        while position < end && scalars[position] == 0x7C {
            position += 1
            alternatives.append(try sequence(end: end))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    private mutating func sequence(end: Int) throws(GrammarError) -> RegexNode {
        var parts: [RegexNode] = []
        while position < end, scalars[position] != 0x7C, scalars[position] != 0x29 {
            var atom = try self.atom(end: end)
            atom = try quantified(atom, end: end)
            parts.append(atom)
        }
        return parts.count == 1 ? parts[0] : .sequence(parts)
    }

    private mutating func quantified(_ atom: RegexNode, end: Int) throws(GrammarError) -> RegexNode {
        guard position < end else { return atom }
        var minimum = 0, maximum: Int? = nil
        switch scalars[position] {
        case 0x2A: position += 1
        case 0x2B: position += 1; minimum = 1
        case 0x3F: position += 1; maximum = 1
        case 0x7B:
            guard let (low, high, length) = braceQuantifier(end: end) else { return atom }
            position += length
            minimum = low
            maximum = high
        default: return atom
        }
        if let maximum, maximum < minimum { throw error("repetition {\(minimum),\(maximum)} has maximum below minimum") }
        guard minimum <= Self.countLimit, (maximum ?? 0) <= Self.countLimit else {
            throw error("repetition count above \(Self.countLimit)")
        }
        if position < end && scalars[position] == 0x3F { position += 1 }  // lazy: same language
        if position < end, [0x2A, 0x2B, 0x3F, 0x7B].contains(scalars[position]), braceOrQuantifier(end: end) {
            throw error("nothing to repeat")
        }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    private func braceOrQuantifier(end: Int) -> Bool {
        scalars[position] != 0x7B || braceQuantifier(end: end) != nil
    }

    /// `{m}`, `{m,}` or `{m,n}` at `position`: (m, n, length), or nil when the brace is literal.
    private func braceQuantifier(end: Int) -> (Int, Int?, Int)? {
        var cursor = position + 1
        func number() -> Int? {
            let start = cursor
            var value = 0
            while cursor < end, scalars[cursor] >= 0x30, scalars[cursor] <= 0x39 {
                value = min(value * 10 + Int(scalars[cursor] - 0x30), 1_000_000)
                cursor += 1
            }
            return cursor > start ? value : nil
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if cursor < end && scalars[cursor] == 0x2C {
            cursor += 1
            high = number()
        }
        guard cursor < end, scalars[cursor] == 0x7D else { return nil }
        return (low, high, cursor + 1 - position)
    }

    private mutating func atom(end: Int) throws(GrammarError) -> RegexNode {
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case 0x28:
            if peek == 0x3F {
                position += 1
                if peek == 0x3A {
                    position += 1
                } else if peek == 0x3C, position + 1 < scalars.count, scalars[position + 1] != 0x3D, scalars[position + 1] != 0x21 {
                    // Named group: skip the name.
                    while let next = peek, next != 0x3E { position += 1 }
                    guard peek == 0x3E else { throw error("unterminated group name") }
                    position += 1
                } else {
                    throw error("lookaround and other (?…) groups are not supported")
                }
            }
            let inner = try alternation(end: end)
            guard position < end, scalars[position] == 0x29 else { throw error("missing ')'") }
            position += 1
            return inner
        case 0x5B: return .set(try characterClass(end: end))
        case 0x2E: return .set(RegexClasses.dot)
        case 0x5C: return .set(try escape(inClass: false))
        case 0x5E: throw error("'^' is only supported at the start")
        case 0x24: throw error("'$' is only supported at the end")
        case 0x2A, 0x2B, 0x3F: throw error("nothing to repeat")
        case 0x7B:
            position -= 1
            if braceQuantifier(end: end) != nil { throw error("nothing to repeat") }
            position += 1
            return .set(CodePointSet(scalar: scalar))
        default: return .set(CodePointSet(scalar: scalar))
        }
    }

    private mutating func characterClass(end: Int) throws(GrammarError) -> CodePointSet {
        var negated = false
        if peek == 0x5E { negated = true; position += 1 }
        var set = CodePointSet()
        var first = true
        while true {
            guard position < end else { throw error("missing ']'") }
            if scalars[position] == 0x5D && !first { position += 1; break }
            if scalars[position] == 0x5D { position += 1; break }
            first = false
            let low = try classAtom()
            if peek == 0x2D, position + 1 < end, scalars[position + 1] != 0x5D {
                position += 1
                let high = try classAtom()
                guard let lowValue = single(low), let highValue = single(high) else { throw error("a class escape cannot bound a range") }
                guard lowValue <= highValue else { throw error("range out of order") }
                set = set.union(CodePointSet([lowValue...highValue]))
            } else {
                set = set.union(low)
            }
        }
        return negated ? set.inverted : set
    }

    private func single(_ set: CodePointSet) -> UInt32? {
        set.ranges.count == 1 && set.ranges[0].count == 1 ? set.ranges[0].lowerBound : nil
    }

    private mutating func classAtom() throws(GrammarError) -> CodePointSet {
        let scalar = scalars[position]
        position += 1
        if scalar == 0x5C { return try escape(inClass: true) }
        return CodePointSet(scalar: scalar)
    }

    private mutating func escape(inClass: Bool) throws(GrammarError) -> CodePointSet {
        guard let scalar = peek else { throw error("pattern ends with '\\'") }
        position += 1
        switch Unicode.Scalar(scalar).map(Character.init) {
        case "d": return RegexClasses.digit
        case "D": return RegexClasses.digit.inverted
        case "w": return RegexClasses.word
        case "W": return RegexClasses.word.inverted
        case "s": return RegexClasses.space
        case "S": return RegexClasses.space.inverted
        case "n": return CodePointSet(scalar: 0x0A)
        case "r": return CodePointSet(scalar: 0x0D)
        case "t": return CodePointSet(scalar: 0x09)
        case "f": return CodePointSet(scalar: 0x0C)
        case "v": return CodePointSet(scalar: 0x0B)
        case "0": return CodePointSet(scalar: 0)
        case "b" where inClass: return CodePointSet(scalar: 0x08)
        case "b", "B": throw error("word boundaries are not supported")
        case "x": return CodePointSet(scalar: try hex(count: 2))
        case "u":
            if peek == 0x7B {
                position += 1
                let start = position
                while let next = peek, next != 0x7D { position += 1 }
                guard peek == 0x7D, let value = UInt32(String(String.UnicodeScalarView(scalars[start..<position].compactMap(Unicode.Scalar.init))), radix: 16)
                else { throw error("bad \\u{…} escape") }
                position += 1
                return CodePointSet(scalar: value)
            }
            return CodePointSet(scalar: try hex(count: 4))
        case let character? where character.isNumber:
            throw error("backreferences are not supported")
        case let character? where character.isLetter:
            throw error("unknown escape '\\\(character)'")
        default:
            return CodePointSet(scalar: scalar)
        }
    }

    private mutating func hex(count: Int) throws(GrammarError) -> UInt32 {
        guard position + count <= scalars.count else { throw error("expected \(count) hex digits") }
        let text = String(String.UnicodeScalarView(scalars[position..<(position + count)].compactMap(Unicode.Scalar.init)))
        guard let value = UInt32(text, radix: 16) else { throw error("expected \(count) hex digits") }
        position += count
        return value
    }
}
