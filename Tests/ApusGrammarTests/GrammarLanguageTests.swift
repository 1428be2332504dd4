import ApusGrammar
import Testing

/// Which whole strings each kind of source accepts and rejects.
@Suite struct GrammarLanguageTests {
    static let compiler = TestVocabulary.compiler()

    /// Whether `text` is a complete match of `source`.
    static func matches(_ source: GrammarSource, _ text: String) throws -> Bool {
        let matcher = try compiler.compile(source).makeConstraint()
        return matcher.accept(bytes: Array(text.utf8)) && matcher.isComplete
    }

    static func check(_ source: GrammarSource, accepts: [String], rejects: [String]) throws {
        for text in accepts { #expect(try matches(source, text), "should accept \(text.debugDescription)") }
        for text in rejects { #expect(try !matches(source, text), "should reject \(text.debugDescription)") }
    }

    @Test func regexClassesGroupsAndCounts() throws {
        try Self.check(.regex("^(ab|c)+[0-9]{2,3}\\.?$"), accepts: ["ab12", "cab123", "c12.", "abab999"],
                       rejects: ["ab1", "12", "ab1234", "abd12", ""])
        try Self.check(.regex("\\d+(\\.\\d{1,2})?"), accepts: ["0", "12.5", "7.25"], rejects: ["1.", "1.234", "a"])
        try Self.check(.regex("[^a-c]x*"), accepts: ["d", "éxx", "😀"], rejects: ["a", "b", "dxy"])
        try Self.check(.regex("\\w+@\\w+\\.(com|org)"), accepts: ["a@b.com", "x_1@y.org"], rejects: ["a@b.net", "@b.com"])
        try Self.check(.regex("\\s?[A-Z]{2}"), accepts: ["AB", " CD", "\tEF"], rejects: ["ab", "  AB"])
        try Self.check(.regex("a{3}"), accepts: ["aaa"], rejects: ["aa", "aaaa"])
        try Self.check(.regex("(?:x|y)?z"), accepts: ["z", "xz", "yz"], rejects: ["xyz"])
        try Self.check(.regex("\\u00e9\\x41."), accepts: ["éAb", "éA日"], rejects: ["éA\n", "eAb"])
    }

    @Test func regexErrorsNameTheProblem() throws {
        for pattern in ["(a", "a)", "*a", "a{3,1}", "(?=a)", "\\1", "\\bword", "a^b", "[b-a]"] {
            #expect(throws: GrammarError.self) { try GrammarSource.regex(pattern).grammar() }
        }
    }

    @Test func choiceAcceptsExactlyItsStrings() throws {
        try Self.check(.choice(["yes", "no", "not sure", "日本"]), accepts: ["yes", "no", "not sure", "日本"],
                       rejects: ["n", "yes ", "nope", ""])
        #expect(throws: GrammarError.emptyChoice) { try GrammarSource.choice([]).grammar() }
    }

    @Test func gbnfRulesRecursionAndClasses() throws {
        let arithmetic = """
        # nested arithmetic
        root ::= expr
        expr ::= term (("+" | "-") term)*
        term ::= num | "(" expr ")"
        num  ::= [0-9]+
        """
        try Self.check(.gbnf(arithmetic), accepts: ["1", "1+2", "(1+(2-3))+4", "((((5))))"],
                       rejects: ["", "1+", "(1", "1)", "a"])
        let unicode = #"root ::= "«" [^»\n]{1,3} "»" ws? | "\u00e9" ws ::= [ \t]+"#
        #expect(throws: GrammarError.self) { try GrammarSource.gbnf(unicode).grammar() }
        let lines = """
        root ::= "«" [^»\\n]{1,3} "»" ws?
               | "\\u00e9"
        ws ::= [ \\t]+
        """
        try Self.check(.gbnf(lines), accepts: ["«ab»", "«日本語» ", "é"], rejects: ["«»", "«abcd»", "«a\n»"])
        let leftRecursive = "root ::= root \"a\" | \"b\""
        try Self.check(.gbnf(leftRecursive), accepts: ["b", "ba", "baaa"], rejects: ["a", "ab"])
    }

    @Test func gbnfErrors() throws {
        for text in ["root ::= missing", "root ::= \"a", "other ::= \"a\"", "root ::= [a-", "root := \"a\"", "root ::= <[12]>"] {
            #expect(throws: GrammarError.self) { try GrammarSource.gbnf(text).grammar() }
        }
    }

    @Test func jsonObjectAcceptsAnyObjectOnly() throws {
        try Self.check(.jsonObject,
                       accepts: ["{}", "{\"a\":1}", "{\"a\": [1, 2.5e3, -0.5, true, null, {\"b\": \"c\\n\\u00e9\"}]}", "{\"日本\": \"😀\"}"],
                       rejects: ["[]", "1", "{\"a\":01}", "{\"a\" : 1}", "{\"a\":1,}", "{\"a\":  1}", "{ \"a\":1}", "{\"a\":\"\\ud800\"}",
                                 "{\"a\":\"\u{1}\"}"])
    }

    @Test func compactWhitespaceAllowsNoSpaces() throws {
        let compiler = TestVocabulary.compiler(whitespace: .compact)
        let matcher = try compiler.compile(.jsonObject).makeConstraint()
        #expect(!matcher.accept(bytes: Array("{\"a\": 1}".utf8)))
        #expect(matcher.accept(bytes: Array("{\"a\":1}".utf8)) && matcher.isComplete)
    }
}
