/// What a request constrains its output with, in the forms the API accepts.
public enum GrammarSource: Sendable, Hashable {
    /// A JSON Schema, as JSON text (`response_format: json_schema`, tool parameters).
    case jsonSchema(String)
    /// Any JSON object (`response_format: json_object`).
    case jsonObject
    /// A regular expression the whole output must match (ECMAScript subset).
    case regex(String)
    /// Exactly one of the strings.
    case choice([String])
    /// A llama.cpp GBNF grammar with a `root` rule.
    case gbnf(String)

    /// The grammar for this source.
    /// - Parameter whitespace: spaces allowed between JSON tokens (JSON sources only).
    /// - Throws: `GrammarError` naming what is invalid or unsupported.
    public func grammar(whitespace: JSONWhitespace = .singleSpace) throws(GrammarError) -> Grammar {
        switch self {
        case .jsonSchema(let text):
            return try JSONSchemaCompiler.compile(try JSONValueParser.parse(text), whitespace: whitespace)
        case .jsonObject:
            var builder = JSONGrammarBuilder(whitespace: whitespace)
            builder.grammar.define("root", builder.anyObject())
            return builder.grammar
        case .regex(let pattern):
            // The whole output matches, so `^` and `$` at the ends change nothing.
            var parser = RegexParser(pattern)
            var grammar = Grammar(root: "root")
            grammar.define("root", try parser.parse().utf8Expression)
            return grammar
        case .choice(let options):
            guard !options.isEmpty else { throw .emptyChoice }
            var grammar = Grammar(root: "root")
            grammar.define("root", .choice(options.map { .literal($0) }))
            return grammar
        case .gbnf(let text):
            return try GBNFParser.parse(text)
        }
    }
}
