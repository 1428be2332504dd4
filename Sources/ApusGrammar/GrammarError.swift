/// Why a grammar, schema, pattern or choice could not be compiled. Every case names what
/// was wrong, so an API can return it as a 400 that tells the caller what to change.
public enum GrammarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A rule is used but never defined.
    case undefinedRule(String, referencedBy: String?)
    /// The grammar accepts no output at all (for example `minItems` above `maxItems`).
    case matchesNothing(String)
    /// The compiled automaton would exceed the size limit.
    case tooLarge(String)
    /// A JSON Schema keyword Apus does not enforce; generation would not be guaranteed valid.
    case unsupportedKeyword(String, path: String)
    /// A JSON Schema value Apus does not enforce (a `format`, a bound, a `$ref` target...).
    case unsupportedValue(String, path: String)
    /// The schema is not valid JSON Schema.
    case invalidSchema(String, path: String)
    /// The text given is not valid JSON.
    case invalidJSON(String, offset: Int)
    /// A regular expression could not be parsed or uses an unsupported feature.
    case invalidRegex(String, pattern: String, offset: Int)
    /// A GBNF grammar could not be parsed.
    case invalidGBNF(String, line: Int)
    /// A choice needs at least one string.
    case emptyChoice

    public var description: String {
        switch self {
        case .undefinedRule(let name, let user):
            return "grammar rule '\(name)' is not defined" + (user.map { " (used by '\($0)')" } ?? "")
        case .matchesNothing(let what):
            return "\(what) matches no output; check for contradictory constraints"
        case .tooLarge(let what):
            return "\(what) is too large to compile; reduce repetition counts or lengths"
        case .unsupportedKeyword(let keyword, let path):
            return "JSON Schema keyword '\(keyword)' at \(path) is not supported; remove it or express it with supported keywords"
        case .unsupportedValue(let what, let path):
            return "\(what) at \(path) is not supported"
        case .invalidSchema(let what, let path):
            return "invalid JSON Schema at \(path): \(what)"
        case .invalidJSON(let what, let offset):
            return "invalid JSON at byte \(offset): \(what)"
        case .invalidRegex(let what, let pattern, let offset):
            return "regular expression \(pattern.debugDescription) at offset \(offset): \(what)"
        case .invalidGBNF(let what, let line):
            return "GBNF grammar line \(line): \(what)"
        case .emptyChoice:
            return "a choice constraint needs at least one string"
        }
    }
}
