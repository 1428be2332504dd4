/// The right-hand side of a grammar rule: a regular expression over byte sets and
/// references to other rules. Repetition stays a loop inside the rule's automaton rather
/// than recursion, so the matcher's state does not grow with a string's length.
public indirect enum GrammarExpression: Sendable, Hashable {
    /// One byte from the set.
    case bytes(ByteSet)
    /// Each part in order (empty: matches the empty string).
    case sequence([GrammarExpression])
    /// Any one of the alternatives (empty: matches nothing).
    case choice([GrammarExpression])
    /// `minimum` to `maximum` (nil: unbounded) repetitions.
    case repetition(GrammarExpression, minimum: Int, maximum: Int?)
    /// The rule named so.
    case rule(String)

    /// Matches the empty string.
    public static let empty = GrammarExpression.sequence([])

    /// Exactly the UTF-8 bytes of `text`.
    public static func literal(_ text: String) -> GrammarExpression {
        literal(bytes: Array(text.utf8))
    }

    /// Exactly `bytes`.
    public static func literal(bytes: [UInt8]) -> GrammarExpression {
        bytes.count == 1 ? .bytes(ByteSet(byte: bytes[0])) : .sequence(bytes.map { .bytes(ByteSet(byte: $0)) })
    }

    /// `expression` or nothing.
    public static func optional(_ expression: GrammarExpression) -> GrammarExpression {
        .repetition(expression, minimum: 0, maximum: 1)
    }

    /// Any of the code points in `set`, UTF-8 encoded.
    public static func codePoints(_ set: CodePointSet) -> GrammarExpression {
        set.utf8Expression
    }

    /// One of the ASCII characters in `characters` (ranges written `a-z`).
    public static func ascii(_ characters: String) -> GrammarExpression {
        var set = ByteSet()
        let bytes = Array(characters.utf8)
        var index = 0
        while index < bytes.count {
            if index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "-") {
                for byte in bytes[index]...bytes[index + 2] { set.insert(byte) }
                index += 3
            } else {
                set.insert(bytes[index])
                index += 1
            }
        }
        return .bytes(set)
    }
}
