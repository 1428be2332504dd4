/// Whitespace a JSON grammar lets the model write between tokens.
public enum JSONWhitespace: Sendable, Hashable {
    /// None at all: `{"a":1,"b":[2,3]}`.
    case compact
    /// At most one space after each `,` and `:` (`{"a": 1, "b": [2, 3]}`), the form chat
    /// models write JSON in on one line. Bounded, so a model cannot loop on whitespace.
    case singleSpace
}

/// A grammar under construction for JSON output, with the shared rules every JSON
/// grammar uses (any value, strings, numbers) defined once and on demand.
struct JSONGrammarBuilder {
    var grammar = Grammar(root: "root")
    let whitespace: JSONWhitespace

    init(whitespace: JSONWhitespace) {
        self.whitespace = whitespace
    }

    /// What may follow `,` and `:`.
    var space: GrammarExpression {
        whitespace == .compact ? .empty : .optional(.literal(" "))
    }

    /// `,` and the space after it.
    var comma: GrammarExpression { .sequence([.literal(","), space]) }

    /// `:` and the space after it.
    var colon: GrammarExpression { .sequence([.literal(":"), space]) }

    /// One character of a JSON string's contents: an unescaped code point other than `"`,
    /// `\` and controls, or an escape. `\u` escapes of surrogates are left out so every
    /// escape is exactly one code point (lengths then count the same as a validator's).
    static let stringCharacter: GrammarExpression = {
        let raw = CodePointSet.all.subtracting(CodePointSet([0x00...0x1F, 0x22...0x22, 0x5C...0x5C]))
        let hex = GrammarExpression.ascii("0-9a-fA-F")
        let unicode = GrammarExpression.sequence([
            .literal("u"),
            .choice([.sequence([.ascii("0-9a-cA-CefEF"), hex, hex, hex]),
                     .sequence([.ascii("dD"), .ascii("0-7"), hex, hex])]),
        ])
        let escape = GrammarExpression.sequence([.literal("\\"), .choice([.ascii("\"\\/bfnrt"), unicode])])
        return .choice([raw.utf8Expression, escape])
    }()

    /// Digits of a non-negative integer without leading zeros.
    static let naturalNumber = GrammarExpression.choice([.literal("0"), .sequence([.ascii("1-9"), .repetition(.ascii("0-9"), minimum: 0, maximum: nil)])])

    /// Defines (once) and names the rule matching any JSON value.
    mutating func anyValue() -> GrammarExpression {
        if !grammar.contains("json-value") {
            let value = GrammarExpression.rule("json-value")
            let member = GrammarExpression.sequence([string(), colon, value])
            grammar.define("json-value", .choice([
                .rule("json-object"), .rule("json-array"), string(), number(),
                .literal("true"), .literal("false"), .literal("null"),
            ]))
            grammar.define("json-object", .sequence([
                .literal("{"), .optional(.sequence([member, .repetition(.sequence([comma, member]), minimum: 0, maximum: nil)])), .literal("}"),
            ]))
            grammar.define("json-array", .sequence([
                .literal("["), .optional(.sequence([value, .repetition(.sequence([comma, value]), minimum: 0, maximum: nil)])), .literal("]"),
            ]))
        }
        return .rule("json-value")
    }

    /// Defines (once) and names the rule matching any JSON object.
    mutating func anyObject() -> GrammarExpression {
        _ = anyValue()
        return .rule("json-object")
    }

    /// Defines (once) and names the rule matching any JSON string.
    mutating func string() -> GrammarExpression {
        if !grammar.contains("json-string") {
            grammar.define("json-string", .sequence([.literal("\""), .repetition(Self.stringCharacter, minimum: 0, maximum: nil), .literal("\"")]))
        }
        return .rule("json-string")
    }

    /// Defines (once) and names the rule matching any JSON number.
    mutating func number() -> GrammarExpression {
        if !grammar.contains("json-number") {
            let digits = GrammarExpression.repetition(.ascii("0-9"), minimum: 1, maximum: nil)
            grammar.define("json-number", .sequence([
                .optional(.literal("-")), Self.naturalNumber,
                .optional(.sequence([.literal("."), digits])),
                // At most two exponent digits: every parser reads the number as a finite double.
                .optional(.sequence([.ascii("eE"), .optional(.ascii("+-")), .repetition(.ascii("0-9"), minimum: 1, maximum: 2)])),
            ]))
        }
        return .rule("json-number")
    }

    /// A JSON string whose decoded value matches `regex` (characters JSON must escape are
    /// written as escapes).
    static func string(matching regex: RegexNode) -> GrammarExpression {
        .sequence([.literal("\""), regex.lowered(escapedCharacters), .literal("\"")])
    }

    /// The JSON-string spellings of the code points in `set`.
    static func escapedCharacters(_ set: CodePointSet) -> GrammarExpression {
        let special = CodePointSet([0x00...0x1F, 0x22...0x22, 0x5C...0x5C])
        var alternatives: [GrammarExpression] = []
        let plain = set.subtracting(special)
        if !plain.isEmpty { alternatives.append(plain.utf8Expression) }
        for range in set.subtracting(plain).ranges {
            for scalar in range {
                switch scalar {
                case 0x22: alternatives.append(.literal("\\\""))
                case 0x5C: alternatives.append(.literal("\\\\"))
                default: alternatives.append(.literal(String(JSONValue.quoted(String(Unicode.Scalar(scalar)!)).dropFirst().dropLast())))
                }
            }
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }
}
