/// Parses llama.cpp's GBNF grammar text: `name ::= alternatives` rules, string literals,
/// character classes (`[a-z]`, `[^"]`), `.`, groups, `*` `+` `?` `{m}` `{m,}` `{m,n}`,
/// `#` comments. Literals and classes are code points, matched as UTF-8. The start rule is
/// `root`. Alternatives continue on the next line inside parentheses, or after a line
/// that starts with `|`.
struct GBNFParser {
    private let scalars: [UInt32]
    private var position = 0
    private var line = 1

    /// Parses `text` into a grammar rooted at `root`.
    static func parse(_ text: String) throws(GrammarError) -> Grammar {
        var parser = GBNFParser(scalars: text.unicodeScalars.map(\.value))
        var grammar = Grammar(root: "root")
        var defined: Set<String> = []
        parser.skipSpace(newlines: true)
        while parser.position < parser.scalars.count {
            let name = try parser.name()
            guard defined.insert(name).inserted else { throw parser.error("rule '\(name)' is defined twice") }
            parser.skipSpace(newlines: false)
            guard parser.consume("::=") else { throw parser.error("expected '::=' after '\(name)'") }
            parser.skipSpace(newlines: true)
            grammar.define(name, try parser.alternatives(nested: false))
            guard parser.position == parser.scalars.count || parser.peek == 0x0A || parser.peek == 0x0D else {
                throw parser.error("expected the end of the line")
            }
            parser.skipSpace(newlines: true)
        }
        guard grammar.contains("root") else { throw GrammarError.invalidGBNF("no 'root' rule", line: parser.line) }
        do { try grammar.validate() } catch {
            throw GrammarError.invalidGBNF(error.description, line: parser.line)
        }
        return grammar
    }

    private init(scalars: [UInt32]) { self.scalars = scalars }

    private var peek: UInt32? { position < scalars.count ? scalars[position] : nil }

    private func error(_ what: String) -> GrammarError { .invalidGBNF(what, line: line) }

    private mutating func consume(_ text: String) -> Bool {
        let wanted = text.unicodeScalars.map(\.value)
        guard position + wanted.count <= scalars.count, Array(scalars[position..<(position + wanted.count)]) == wanted else { return false }
        position += wanted.count
        return true
    }

    private mutating func skipSpace(newlines: Bool) {
        while let scalar = peek {
            if scalar == 0x20 || scalar == 0x09 {
                position += 1
            } else if scalar == 0x23 {
                while let next = peek, next != 0x0A { position += 1 }
            } else if newlines && (scalar == 0x0A || scalar == 0x0D) {
                if scalar == 0x0A { line += 1 }
                position += 1
            } else {
                return
            }
        }
    }

    private static func isNameScalar(_ scalar: UInt32) -> Bool {
        (scalar >= 0x61 && scalar <= 0x7A) || (scalar >= 0x41 && scalar <= 0x5A) || (scalar >= 0x30 && scalar <= 0x39)
            || scalar == 0x2D || scalar == 0x5F
    }

    private mutating func name() throws(GrammarError) -> String {
        let start = position
        while let scalar = peek, Self.isNameScalar(scalar) { position += 1 }
        guard position > start else { throw error("expected a rule name") }
        return String(String.UnicodeScalarView(scalars[start..<position].compactMap(Unicode.Scalar.init)))
    }

    /// At top level a newline ends the rule unless the next line starts with `|`.
    private mutating func continuesOnNextLine() -> Bool {
        var cursor = position
        while cursor < scalars.count, [0x20, 0x09, 0x0A, 0x0D].contains(scalars[cursor]) { cursor += 1 }
        guard cursor < scalars.count, scalars[cursor] == 0x7C else { return false }
        while position < cursor {
            if scalars[position] == 0x0A { line += 1 }
            position += 1
        }
        return true
    }

    private mutating func alternatives(nested: Bool) throws(GrammarError) -> GrammarExpression {
        var result = [try sequence(nested: nested)]
        while peek == 0x7C || (!nested && continuesOnNextLine()) {
            position += 1
            skipSpace(newlines: true)
            result.append(try sequence(nested: nested))
        }
        return result.count == 1 ? result[0] : .choice(result)
    }

    private mutating func sequence(nested: Bool) throws(GrammarError) -> GrammarExpression {
        var parts: [GrammarExpression] = []
        while let scalar = peek, scalar != 0x7C, scalar != 0x29, scalar != 0x0A, scalar != 0x0D {
            var part: GrammarExpression
            switch scalar {
            case 0x22: part = try literal()
            case 0x5B: part = try characterClass()
            case 0x2E: position += 1; part = .codePoints(.all)
            case 0x28:
                position += 1
                skipSpace(newlines: true)
                part = try alternatives(nested: true)
                skipSpace(newlines: true)
                guard peek == 0x29 else { throw error("expected ')'") }
                position += 1
            case 0x3C: throw error("token references (<…>) are not supported")
            default:
                guard Self.isNameScalar(scalar) else {
                    throw error("unexpected '\(Unicode.Scalar(scalar).map(String.init) ?? "?")'")
                }
                part = .rule(try name())
            }
            skipSpace(newlines: nested)
            part = try repeated(part, nested: nested)
            parts.append(part)
        }
        if nested { skipSpace(newlines: true) }
        return parts.count == 1 ? parts[0] : .sequence(parts)
    }

    private mutating func repeated(_ part: GrammarExpression, nested: Bool) throws(GrammarError) -> GrammarExpression {
        var result = part
        while let scalar = peek {
            switch scalar {
            case 0x2A: result = .repetition(result, minimum: 0, maximum: nil)
            case 0x2B: result = .repetition(result, minimum: 1, maximum: nil)
            case 0x3F: result = .repetition(result, minimum: 0, maximum: 1)
            case 0x7B:
                position += 1
                skipSpace(newlines: false)
                let low = try integer()
                var high: Int? = low
                skipSpace(newlines: false)
                if peek == 0x2C {
                    position += 1
                    skipSpace(newlines: false)
                    high = peek == 0x7D ? nil : try integer()
                    skipSpace(newlines: false)
                }
                guard peek == 0x7D else { throw error("expected '}'") }
                if let high, high < low { throw error("repetition maximum below minimum") }
                guard low <= RegexParser.countLimit, (high ?? 0) <= RegexParser.countLimit else {
                    throw error("repetition count above \(RegexParser.countLimit)")
                }
                result = .repetition(result, minimum: low, maximum: high)
            default: return result
            }
            position += 1
            skipSpace(newlines: nested)
        }
        return result
    }

    private mutating func integer() throws(GrammarError) -> Int {
        var value = 0, digits = 0
        while let scalar = peek, scalar >= 0x30, scalar <= 0x39 {
            value = min(value * 10 + Int(scalar - 0x30), 1_000_000)
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw error("expected a number") }
        return value
    }

    private mutating func literal() throws(GrammarError) -> GrammarExpression {
        position += 1
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = peek, scalar != 0x0A else { throw error("unterminated string literal") }
            if scalar == 0x22 { position += 1; break }
            text.append(try character())
        }
        return .literal(String(text))
    }

    private mutating func characterClass() throws(GrammarError) -> GrammarExpression {
        position += 1
        var negated = false
        if peek == 0x5E { negated = true; position += 1 }
        var set = CodePointSet()
        while true {
            guard let scalar = peek, scalar != 0x0A else { throw error("unterminated character class") }
            if scalar == 0x5D { position += 1; break }
            let low = try character().value
            if peek == 0x2D, position + 1 < scalars.count, scalars[position + 1] != 0x5D {
                position += 1
                let high = try character().value
                guard low <= high else { throw error("character range out of order") }
                set = set.union(CodePointSet([low...high]))
            } else {
                set = set.union(CodePointSet(scalar: low))
            }
        }
        return .codePoints(negated ? set.inverted : set)
    }

    /// One possibly escaped character of a literal or class.
    private mutating func character() throws(GrammarError) -> Unicode.Scalar {
        let scalar = scalars[position]
        position += 1
        guard scalar == 0x5C else { return Unicode.Scalar(scalar)! }
        guard let escape = peek else { throw error("dangling '\\'") }
        position += 1
        let value: UInt32
        switch escape {
        case 0x6E: value = 0x0A
        case 0x72: value = 0x0D
        case 0x74: value = 0x09
        case 0x78: value = try hex(2)
        case 0x75: value = try hex(4)
        case 0x55: value = try hex(8)
        case 0x5C, 0x22, 0x5B, 0x5D, 0x2D, 0x5E: value = escape
        default: throw error("unknown escape '\\\(Unicode.Scalar(escape).map(String.init) ?? "?")'")
        }
        guard let result = Unicode.Scalar(value) else { throw error("escape is not a Unicode scalar") }
        return result
    }

    private mutating func hex(_ count: Int) throws(GrammarError) -> UInt32 {
        guard position + count <= scalars.count else { throw error("expected \(count) hex digits") }
        let text = String(String.UnicodeScalarView(scalars[position..<(position + count)].compactMap(Unicode.Scalar.init)))
        guard let value = UInt32(text, radix: 16) else { throw error("expected \(count) hex digits") }
        position += count
        return value
    }
}
