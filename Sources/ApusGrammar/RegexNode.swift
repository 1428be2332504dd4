/// A parsed regular expression over Unicode code points, before it is lowered to bytes
/// (plain UTF-8 for a regex constraint, JSON-escaped UTF-8 inside a schema's `pattern`).
public indirect enum RegexNode: Sendable, Hashable {
    /// One code point from the set.
    case set(CodePointSet)
    /// Each part in order.
    case sequence([RegexNode])
    /// Any one alternative.
    case choice([RegexNode])
    /// `minimum` to `maximum` (nil: unbounded) repetitions.
    case repetition(RegexNode, minimum: Int, maximum: Int?)

    /// The expression, with each code point set written by `characters`.
    func lowered(_ characters: (CodePointSet) -> GrammarExpression) -> GrammarExpression {
        switch self {
        case .set(let set): return characters(set)
        case .sequence(let parts): return .sequence(parts.map { $0.lowered(characters) })
        case .choice(let alternatives): return .choice(alternatives.map { $0.lowered(characters) })
        case .repetition(let inner, let minimum, let maximum):
            return .repetition(inner.lowered(characters), minimum: minimum, maximum: maximum)
        }
    }

    /// The expression matching the UTF-8 text of the regex's matches.
    public var utf8Expression: GrammarExpression { lowered { $0.utf8Expression } }
}

/// Code point classes of ECMAScript regular expressions.
enum RegexClasses {
    static let digit = CodePointSet([0x30...0x39])
    static let word = CodePointSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    static let space = CodePointSet([0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
                                     0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF])
    /// `.`: anything but a line terminator.
    static let dot = CodePointSet([0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]).inverted
}
