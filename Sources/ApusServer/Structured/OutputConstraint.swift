import ApusGrammar
import ApusTokenizer

/// The constraint a request puts on its output, read from whichever of the API's spellings
/// it used: OpenAI's `response_format`, vLLM's `structured_outputs` (and its older
/// `guided_json`/`guided_regex`/`guided_choice`/`guided_grammar`), llama-server's
/// `json_schema` and `grammar`. More than one of them is a 400: which should win is not
/// obvious, and silently picking one would break the other's guarantee.
struct OutputConstraint {
    /// What to compile.
    var source: GrammarSource
    /// The parameter it came from, named in a compile error's 400.
    var param: String

    /// The constraint in `body` (the request as ordered JSON), or nil for free text.
    static func parse(_ body: ChatValue) throws(APIError) -> OutputConstraint? {
        guard let members = body.objectValue else { return nil }
        var found: [OutputConstraint] = []
        if let format = members["response_format"], format != .null, let parsed = try responseFormat(format) {
            found.append(parsed)
        }
        if let outputs = members["structured_outputs"], outputs != .null {
            found += try structuredOutputs(outputs, prefix: "structured_outputs.")
        }
        // vLLM's names before `structured_outputs` existed.
        var guidedPairs: [(String, ChatValue)] = []
        for key in ["json", "regex", "choice", "grammar"] {
            if let value = members["guided_\(key)"], value != .null { guidedPairs.append((key, value)) }
        }
        let guided = ChatObject(guidedPairs)
        if !guided.entries.isEmpty { found += try structuredOutputs(.object(guided), prefix: "guided_") }
        if let schema = members["json_schema"], schema != .null {
            found.append(OutputConstraint(source: try schemaSource(schema, param: "json_schema"), param: "json_schema"))
        }
        if let grammar = members["grammar"], grammar != .null {
            guard let text = grammar.stringValue else { throw APIError.invalid("grammar must be a GBNF string", param: "grammar", code: "invalid_type") }
            found.append(OutputConstraint(source: .gbnf(text), param: "grammar"))
        }
        guard found.count <= 1 else {
            throw APIError.invalid("only one output constraint may be given, found \(found.map(\.param).joined(separator: ", "))",
                                   param: found[1].param)
        }
        return found.first
    }

    /// `response_format`: `text`, `json_object`, or `json_schema` with `json_schema.schema`.
    private static func responseFormat(_ value: ChatValue) throws(APIError) -> OutputConstraint? {
        guard let object = value.objectValue, let type = object["type"]?.stringValue else {
            throw APIError.invalid("response_format must be an object with a string 'type'", param: "response_format", code: "invalid_type")
        }
        switch type {
        case "text":
            return nil
        case "json_object":
            return OutputConstraint(source: .jsonObject, param: "response_format")
        case "json_schema":
            guard let wrapper = object["json_schema"]?.objectValue else {
                throw APIError.invalid("response_format.json_schema is required when type is 'json_schema' ({name, schema, strict})",
                                       param: "response_format.json_schema", code: "missing_required_parameter")
            }
            if let strict = wrapper["strict"], strict != .null, strict != .bool(true), strict != .bool(false) {
                throw APIError.invalid("response_format.json_schema.strict must be a boolean", param: "response_format.json_schema.strict",
                                       code: "invalid_type")
            }
            // Apus always enforces the schema exactly (`strict: false` gets the same guarantee).
            guard let schema = wrapper["schema"], schema != .null else {
                return OutputConstraint(source: .jsonObject, param: "response_format")
            }
            return OutputConstraint(source: try schemaSource(schema, param: "response_format.json_schema.schema"), param: "response_format")
        default:
            throw APIError.invalid("response_format.type '\(type)' is not supported: use text, json_object or json_schema",
                                   param: "response_format.type", code: "unsupported_value")
        }
    }

    /// vLLM's `structured_outputs`: exactly one of `json`, `regex`, `choice`, `grammar`
    /// (and `json_object: true`).
    private static func structuredOutputs(_ value: ChatValue, prefix: String) throws(APIError) -> [OutputConstraint] {
        let name = prefix.hasSuffix(".") ? String(prefix.dropLast()) : "guided_*"
        guard let object = value.objectValue else {
            throw APIError.invalid("\(name) must be an object", param: name, code: "invalid_type")
        }
        var found: [OutputConstraint] = []
        for (key, member) in object.entries where member != .null {
            let param = prefix + key
            switch key {
            case "json":
                // vLLM accepts the schema as an object or as JSON text.
                if let text = member.stringValue {
                    found.append(OutputConstraint(source: .jsonSchema(text), param: param))
                } else {
                    found.append(OutputConstraint(source: try schemaSource(member, param: param), param: param))
                }
            case "json_object":
                guard member == .bool(true) else { continue }
                found.append(OutputConstraint(source: .jsonObject, param: param))
            case "regex":
                guard let pattern = member.stringValue else { throw APIError.invalid("\(param) must be a string", param: param, code: "invalid_type") }
                found.append(OutputConstraint(source: .regex(pattern), param: param))
            case "choice":
                guard let items = member.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw APIError.invalid("\(param) must be an array of strings", param: param, code: "invalid_type")
                }
                found.append(OutputConstraint(source: .choice(items.compactMap(\.stringValue)), param: param))
            case "grammar":
                guard let text = member.stringValue else { throw APIError.invalid("\(param) must be a GBNF string", param: param, code: "invalid_type") }
                found.append(OutputConstraint(source: .gbnf(text), param: param))
            case "disable_fallback", "disable_any_whitespace", "disable_additional_properties", "whitespace_pattern":
                continue
            default:
                throw APIError.invalid("\(param) is not supported: use json, json_object, regex, choice or grammar", param: param,
                                       code: "unsupported_value")
            }
        }
        return found
    }

    /// A JSON Schema given as an object (or a boolean schema).
    private static func schemaSource(_ schema: ChatValue, param: String) throws(APIError) -> GrammarSource {
        switch schema {
        case .object, .bool: return .jsonSchema(schema.jsonText)
        default: throw APIError.invalid("\(param) must be a JSON Schema object", param: param, code: "invalid_type")
        }
    }
}
