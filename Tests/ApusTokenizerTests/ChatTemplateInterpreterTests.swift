import ApusTokenizer
import Testing

/// Focused checks of Jinja semantics; expected strings are what Python jinja2 prints
/// under Hugging Face's settings (trim_blocks, lstrip_blocks).
@Suite struct ChatTemplateInterpreterTests {
    func render(_ source: String, _ context: [String: ChatValue] = [:]) throws -> String {
        try ChatTemplate(source).render(messages: [], addGenerationPrompt: false, extraContext: context)
    }

    @Test func whitespaceControl() throws {
        #expect(try render("{% if true %}\n  a\n{% endif %}\nb") == "  a\nb")
        #expect(try render("x  {%- if true -%}  y  {%- endif -%}  z") == "xyz")
        #expect(try render("  {% if true %}a{% endif %}\n") == "a")
        #expect(try render("a {{ 1 }} b\n") == "a 1 b")
    }

    @Test func expressionsFollowPython() throws {
        #expect(try render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}") == "3 -4 3.5 2 1024")
        #expect(try render("{{ 'abcdef'[::-1] }} {{ [1,2,3,4][1:3] }} {{ 'abc'[-1] }}") == "fedcba [2, 3] c")
        #expect(try render("{{ none }} {{ true }} {{ {'a': 'x', 'b': [1.0, none]} }}") == "None True {'a': 'x', 'b': [1.0, None]}")
        #expect(try render("{{ 'a' ~ 1 ~ none }} {{ 'b' in 'abc' }} {{ 2 not in [1, 2] }}") == "a1None True False")
        #expect(try render("{{ 'yes' if x is defined else 'no' }} {{ x | default('d') }}") == "no d")
    }

    @Test func loopsNamespacesAndMacros() throws {
        let source = """
        {% set ns = namespace(total=0) %}
        {% for x in items if x > 1 %}{{ loop.index }}/{{ loop.length }}{% if not loop.last %},{% endif %}{% set ns.total = ns.total + x %}{% endfor %}
        {% macro greet(name, punctuation='!') %}Hi {{ name }}{{ punctuation }}{% endmacro %}
        {{ ns.total }} {{ greet('Ann') }} {{ greet('Bo', punctuation='?') }}
        """
        #expect(try render(source, ["items": [1, 2, 3]]) == "1/2,2/25 Hi Ann! Hi Bo?")
    }

    @Test func stringMethodsAndFilters() throws {
        #expect(try render("{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'a,b,,c'.split(',') }}") == "a b|a|['a', 'b', '', 'c']")
        #expect(try render("{{ 'Hello'.startswith('He') }} {{ 'a b c'.split() | join('-') }} {{ 'abc' | upper }}") == "True a-b-c ABC")
        #expect(try render("{{ d | tojson }} {{ d | tojson(indent=2) }}", ["d": ["é": "\"q\"\n", "n": [1, 2.5, nil]]])
            == "{\"é\": \"\\\"q\\\"\\n\", \"n\": [1, 2.5, null]} {\n  \"é\": \"\\\"q\\\"\\n\",\n  \"n\": [\n    1,\n    2.5,\n    null\n  ]\n}")
        #expect(try render("{{ xs | selectattr('k', 'equalto', 1) | map(attribute='v') | join(',') }}",
                           ["xs": [["k": 1, "v": "a"], ["k": 2, "v": "b"], ["k": 1, "v": "c"]]]) == "a,c")
        #expect(try render("{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}", ["d": ["b": 1, "A": 2]]) == "A=2;b=1;")
    }

    @Test func errorsAreTypedNeverCrashes() throws {
        #expect(throws: TemplateError.raised(message: "no system role")) {
            try render("{{ raise_exception('no system role') }}")
        }
        #expect(throws: TemplateError.unsupported(construct: "the '{% include %}' statement", line: 2)) {
            try ChatTemplate("a\n{% include 'x' %}")
        }
        #expect(throws: TemplateError.self) { try ChatTemplate("{% if x %}unclosed") }
        #expect(throws: TemplateError.self) { try ChatTemplate("{{ 'unterminated }}") }
        #expect(throws: TemplateError.self) { try render("{{ x.y }}") }
        #expect(throws: TemplateError.self) { try render("{{ 'a' + 1 }}") }
        #expect(throws: TemplateError.self) { try render("{% set xs = [] %}{{ xs.append(1) }}") }
        #expect(throws: TemplateError.unsupported(construct: "the filter 'from_json'", line: 1)) {
            try render("{{ '{}' | from_json }}")
        }
    }

    @Test func jsonValuesKeepKeyOrder() throws {
        let value = try ChatValue(json: #"{"z": 1, "a": [true, null, -2.5e1, "\u00e9\ud83d\ude00"]}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.entries.map(\.key) == ["z", "a"])
        #expect(value["a"] == [true, nil, -25.0, "é😀"])
        #expect(throws: ChatJSONError.self) { try ChatValue(json: "{\"a\": }") }
    }
}
