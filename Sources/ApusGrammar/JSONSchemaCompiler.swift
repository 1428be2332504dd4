import Foundation

/// Compiles a JSON Schema to a grammar whose every output validates against the schema.
///
/// Fail closed: a keyword that would constrain the output and that Apus does not enforce
/// is an error naming it, never ignored. Where the schema allows a choice, the grammar may
/// allow less (still only valid outputs): objects carry only the declared properties, in
/// declaration order, unless the schema declares none; arrays with `prefixItems` and no
/// `items` carry no extra items beyond what `minItems` needs.
struct JSONSchemaCompiler {
    var json: JSONGrammarBuilder
    let document: JSONValue
    /// Rule names of `$ref` targets already compiled (or being compiled: recursion).
    var referenceRules: [String: String] = [:]
    var ruleCounter = 0

    /// Keywords that only annotate and never constrain.
    static let annotations: Set<String> = [
        "title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly",
        "$defs", "definitions",
    ]
    /// Keywords enforced.
    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "enum", "const", "anyOf", "oneOf",
        "$ref", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum",
    ]

    /// The grammar for `schema`.
    static func compile(_ schema: JSONValue, whitespace: JSONWhitespace) throws(GrammarError) -> Grammar {
        var compiler = JSONSchemaCompiler(json: JSONGrammarBuilder(whitespace: whitespace), document: schema)
        let root = try compiler.expression(schema, path: "#")
        compiler.json.grammar.define("root", root)
        return compiler.json.grammar
    }

    /// A fresh rule name with a readable `hint`.
    mutating func newRuleName(_ hint: String) -> String {
        ruleCounter += 1
        let cleaned = String(hint.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)) ? Character(scalar) : "-"
        }.prefix(40))
        return "s\(ruleCounter)-\(cleaned)"
    }

    /// The expression matching exactly the JSON texts (in the grammar's whitespace style)
    /// this compiler generates for `schema`.
    mutating func expression(_ schema: JSONValue, path: String) throws(GrammarError) -> GrammarExpression {
        let members: [JSONMember]
        switch schema {
        case .bool(true): return json.anyValue()
        case .bool(false): throw .matchesNothing("the schema 'false' at \(path)")
        case .object(let list): members = list
        default: throw .invalidSchema("a schema must be an object or a boolean", path: path)
        }
        for member in members where !Self.supported.contains(member.key) && !Self.annotations.contains(member.key) {
            throw .unsupportedKeyword(member.key, path: path)
        }
        let constraining = members.map(\.key).filter { Self.supported.contains($0) }
        func onlyWith(_ keyword: String, allowing allowed: Set<String>) throws(GrammarError) {
            if let other = constraining.first(where: { $0 != keyword && !allowed.contains($0) }) {
                throw .unsupportedKeyword(other, path: path + " (beside '\(keyword)')")
            }
        }
        if let reference = schema["$ref"] {
            try onlyWith("$ref", allowing: [])
            guard case .string(let pointer) = reference else { throw .invalidSchema("'$ref' must be a string", path: path) }
            return .rule(try referenceRule(pointer, path: path))
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let branches = schema[keyword] else { continue }
            try onlyWith(keyword, allowing: [])
            guard case .array(let list) = branches, !list.isEmpty else {
                throw .invalidSchema("'\(keyword)' must be a non-empty array", path: path)
            }
            if keyword == "oneOf" { try checkDisjoint(list, path: path + "/oneOf") }
            var alternatives: [GrammarExpression] = []
            for (index, branch) in list.enumerated() {
                alternatives.append(try expression(branch, path: path + "/\(keyword)/\(index)"))
            }
            return .choice(alternatives)
        }
        let types = try self.types(of: schema, path: path)
        for keyword in ["const", "enum"] {
            guard let value = schema[keyword] else { continue }
            try onlyWith(keyword, allowing: ["type"])
            var values: [JSONValue]
            if keyword == "const" {
                values = [value]
            } else {
                guard case .array(let list) = value else { throw .invalidSchema("'enum' must be an array", path: path) }
                values = list
            }
            if let types { values = values.filter { Self.kind(of: $0).map { types.contains($0) || ($0 == "integer" && types.contains("number")) } ?? false } }
            guard !values.isEmpty else { throw .matchesNothing("the '\(keyword)' at \(path)") }
            return .choice(values.map { .literal(serialized($0)) })
        }
        guard let types else { return json.anyValue() }
        var alternatives: [GrammarExpression] = []
        for type in types {
            switch type {
            case "null": alternatives.append(.literal("null"))
            case "boolean": alternatives.append(.choice([.literal("true"), .literal("false")]))
            case "string": alternatives.append(try stringExpression(schema, path: path))
            case "integer": alternatives.append(try integerExpression(schema, path: path))
            case "number": alternatives.append(try numberExpression(schema, path: path))
            case "object": alternatives.append(try objectExpression(schema, path: path))
            case "array": alternatives.append(try arrayExpression(schema, path: path))
            default: throw .invalidSchema("unknown type '\(type)'", path: path)
            }
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    /// `value` as the grammar writes it: compact JSON, with this grammar's spaces.
    func serialized(_ value: JSONValue) -> String {
        let separator = json.whitespace == .compact ? "" : " "
        switch value {
        case .array(let items): return "[" + items.map(serialized).joined(separator: "," + separator) + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quoted($0.key) + ":" + separator + serialized($0.value) }
                .joined(separator: "," + separator) + "}"
        default: return value.serialized
        }
    }

    /// The JSON kind of a literal value: the names `type` uses ("integer" for whole numbers).
    static func kind(of value: JSONValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        case .number(let text):
            return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "number" : "integer"
        }
    }

    /// The schema's `type`s, or those its keywords imply, or nil for any value.
    func types(of schema: JSONValue, path: String) throws(GrammarError) -> [String]? {
        switch schema["type"] {
        case .string(let type)?: return [type]
        case .array(let list)?:
            var result: [String] = []
            for item in list {
                guard case .string(let type) = item else { throw .invalidSchema("'type' entries must be strings", path: path) }
                if !result.contains(type) { result.append(type) }
            }
            guard !result.isEmpty else { throw .invalidSchema("'type' is an empty array", path: path) }
            return result
        case nil: break
        default: throw .invalidSchema("'type' must be a string or an array", path: path)
        }
        // Without `type` the keywords that constrain one kind imply it (allowing only that
        // kind is stricter than the schema, so outputs stay valid).
        let implied: [(String, [String])] = [
            ("object", ["properties", "required", "additionalProperties"]),
            ("array", ["items", "prefixItems", "minItems", "maxItems"]),
            ("string", ["minLength", "maxLength", "pattern", "format"]),
            ("number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
        ]
        let found = implied.filter { entry in entry.1.contains { schema[$0] != nil } }.map(\.0)
        if found.count > 1 {
            throw .unsupportedValue("keywords of several types (\(found.joined(separator: ", "))) without 'type'", path: path)
        }
        return found.isEmpty ? nil : found
    }

    /// The rule for the `$ref` target `pointer` (local references only).
    mutating func referenceRule(_ pointer: String, path: String) throws(GrammarError) -> String {
        if let name = referenceRules[pointer] { return name }
        guard pointer.hasPrefix("#") else {
            throw .unsupportedValue("the remote reference '\(pointer)' (only '#…' references)", path: path)
        }
        var target = document
        for rawPart in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let part = rawPart.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch target {
            case .object:
                guard let next = target[part] else { throw .invalidSchema("'$ref' target '\(pointer)' does not exist", path: path) }
                target = next
            case .array(let items):
                guard let index = Int(part), items.indices.contains(index) else {
                    throw .invalidSchema("'$ref' target '\(pointer)' does not exist", path: path)
                }
                target = items[index]
            default: throw .invalidSchema("'$ref' target '\(pointer)' does not exist", path: path)
            }
        }
        let name = newRuleName("ref-" + (pointer.split(separator: "/").last.map(String.init) ?? "root"))
        referenceRules[pointer] = name
        let body = try expression(target, path: pointer)
        json.grammar.define(name, body)
        return name
    }
}
