import ApusGrammar
import Testing

/// Fail closed: every schema feature Apus does not enforce is an error that names it.
@Suite struct SchemaErrorTests {
    static func error(_ schema: String) -> GrammarError? {
        do {
            _ = try GrammarSource.jsonSchema(schema).grammar()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (#"{"type":"object","patternProperties":{"^a":{}}}"#, "patternProperties"),
        (#"{"type":"object","minProperties":1}"#, "minProperties"),
        (#"{"allOf":[{"type":"string"}]}"#, "allOf"),
        (#"{"not":{"type":"string"}}"#, "not"),
        (#"{"type":"array","uniqueItems":true}"#, "uniqueItems"),
        (#"{"type":"array","contains":{"type":"integer"}}"#, "contains"),
        (#"{"type":"number","multipleOf":2}"#, "multipleOf"),
        (#"{"if":{"type":"string"},"then":{"minLength":1}}"#, "if"),
        (#"{"type":"object","properties":{"a":{"type":"string","contentEncoding":"base64"}}}"#, "contentEncoding"),
        (#"{"type":"object","dependentRequired":{"a":["b"]}}"#, "dependentRequired"),
        (#"{"type":"string","nullable":true}"#, "nullable"),
    ])
    func unsupportedKeywordIsNamed(schema: String, keyword: String) {
        guard case .unsupportedKeyword(let name, _)? = Self.error(schema) else {
            Issue.record("expected unsupportedKeyword for \(keyword), got \(String(describing: Self.error(schema)))")
            return
        }
        #expect(name == keyword)
        #expect(Self.error(schema)!.description.contains(keyword))
    }

    @Test func otherUnsupportedOrInvalidSchemasFail() {
        let failing = [
            #"{"type":"string","format":"hostname"}"#,
            #"{"type":"number","minimum":0.5}"#,
            #"{"oneOf":[{"type":"number"},{"type":"integer"}]}"#,
            #"{"type":"string","pattern":"a(?=b)"}"#,
            #"{"type":"string","pattern":"^a$","maxLength":3}"#,
            #"{"$ref":"https://example.com/s.json"}"#,
            ##"{"$ref":"#/$defs/missing"}"##,
            #"{"type":"array","minItems":3,"maxItems":2}"#,
            #"{"type":"string","maxLength":100000}"#,
            #"{"type":"frog"}"#,
            #"{"type":"object","properties":{"a":{"type":"string"}},"required":"a"}"#,
            #"{"enum":[1,2],"minimum":1}"#,
            "false",
            "[1,2]",
            #"{"type":"string""#,
        ]
        for schema in failing {
            #expect(Self.error(schema) != nil, "\(schema) compiled")
        }
    }

    @Test func annotationsAreIgnoredAndDeepNestingIsAnError() {
        #expect(Self.error(#"{"title":"t","description":"d","$schema":"https://json-schema.org/draft/2020-12/schema","examples":[1],"default":1,"type":"integer"}"#) == nil)
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(Self.error(deep) != nil)
    }

    @Test func recursionThroughRefsCompiles() {
        #expect(Self.error(##"{"$defs":{"a":{"type":"array","items":{"$ref":"#/$defs/a"}}},"$ref":"#/$defs/a"}"##) == nil)
        // A schema that can never finish (infinite required recursion) matches nothing.
        let endless = ##"{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}"##
        guard case .matchesNothing? = compileError(endless) else {
            Issue.record("an endless schema compiled")
            return
        }
    }

    private func compileError(_ schema: String) -> GrammarError? {
        do {
            _ = try CompiledGrammar(GrammarSource.jsonSchema(schema).grammar(), trie: VocabularyTrie(tokenBytes: [[0x61]]), tokenizer: nil)
            return nil
        } catch {
            return error
        }
    }
}
