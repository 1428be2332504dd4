import ApusGrammar
import Foundation

/// An independent JSON Schema validator for the keywords the compiler supports (formats
/// are left to Python's `jsonschema` in the corpus test), used to check generated output.
struct SchemaValidator {
    let document: JSONValue

    /// Problems found validating `instance` against the document (empty when valid).
    func errors(_ instance: JSONValue) -> [String] {
        var problems: [String] = []
        validate(instance, document, path: "$", problems: &problems, depth: 0)
        return problems
    }

    private func resolve(_ pointer: String) -> JSONValue? {
        var target = document
        for part in pointer.dropFirst().split(separator: "/") {
            guard let next = target[String(part)] else { return nil }
            target = next
        }
        return target
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number, .number): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { member in y.contains { $0.key == member.key && equal($0.value, member.value) } }
        default: return a == b
        }
    }

    private func isType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): return true
        case ("integer", .number): return value.doubleValue.map { $0 == $0.rounded() } ?? false
        default: return false
        }
    }

    private func validate(_ value: JSONValue, _ schema: JSONValue, path: String, problems: inout [String], depth: Int) {
        guard depth < 64 else { return }
        if case .bool(let allowed) = schema {
            if !allowed { problems.append("\(path): schema false") }
            return
        }
        func fail(_ what: String) { problems.append("\(path): \(what)") }
        if case .string(let pointer)? = schema["$ref"], let target = resolve(pointer) {
            validate(value, target, path: path, problems: &problems, depth: depth + 1)
        }
        if case .array(let branches)? = schema["anyOf"] {
            let passing = branches.filter { branch in var p: [String] = []; validate(value, branch, path: path, problems: &p, depth: depth + 1); return p.isEmpty }
            if passing.isEmpty { fail("matches no anyOf branch") }
        }
        if case .array(let branches)? = schema["oneOf"] {
            let passing = branches.filter { branch in var p: [String] = []; validate(value, branch, path: path, problems: &p, depth: depth + 1); return p.isEmpty }
            if passing.count != 1 { fail("matches \(passing.count) oneOf branches") }
        }
        if let constant = schema["const"], !Self.equal(value, constant) { fail("not the const") }
        if case .array(let options)? = schema["enum"], !options.contains(where: { Self.equal(value, $0) }) { fail("not in enum") }
        switch schema["type"] {
        case .string(let type)?: if !isType(value, type) { fail("not of type \(type)") }
        case .array(let types)?:
            if !types.contains(where: { if case .string(let t) = $0 { return isType(value, t) } else { return false } }) { fail("not of types") }
        default: break
        }
        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if let low = schema["minLength"]?.doubleValue, Double(length) < low { fail("shorter than minLength") }
            if let high = schema["maxLength"]?.doubleValue, Double(length) > high { fail("longer than maxLength") }
            if case .string(let pattern)? = schema["pattern"] {
                let regex = try! NSRegularExpression(pattern: pattern)
                if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil { fail("does not match pattern") }
            }
        case .number:
            let number = value.doubleValue!
            if let low = schema["minimum"]?.doubleValue, number < low { fail("below minimum") }
            if let high = schema["maximum"]?.doubleValue, number > high { fail("above maximum") }
            if let low = schema["exclusiveMinimum"]?.doubleValue, number <= low { fail("not above exclusiveMinimum") }
            if let high = schema["exclusiveMaximum"]?.doubleValue, number >= high { fail("not below exclusiveMaximum") }
        case .array(let items):
            if let low = schema["minItems"]?.doubleValue, Double(items.count) < low { fail("fewer than minItems") }
            if let high = schema["maxItems"]?.doubleValue, Double(items.count) > high { fail("more than maxItems") }
            var prefixCount = 0
            if case .array(let prefix)? = schema["prefixItems"] {
                prefixCount = prefix.count
                for (index, item) in zip(prefix, items).enumerated() {
                    validate(item.1, item.0, path: path + "[\(index)]", problems: &problems, depth: depth + 1)
                }
            }
            if let itemSchema = schema["items"], items.count > prefixCount {
                for index in prefixCount..<items.count {
                    validate(items[index], itemSchema, path: path + "[\(index)]", problems: &problems, depth: depth + 1)
                }
            }
        case .object(let members):
            if case .array(let required)? = schema["required"] {
                for case .string(let name) in required where !members.contains(where: { $0.key == name }) { fail("missing \(name)") }
            }
            let properties: [JSONMember]
            if case .object(let list)? = schema["properties"] { properties = list } else { properties = [] }
            for member in members {
                if let property = properties.first(where: { $0.key == member.key }) {
                    validate(member.value, property.value, path: path + "." + member.key, problems: &problems, depth: depth + 1)
                } else if let additional = schema["additionalProperties"] {
                    validate(member.value, additional, path: path + "." + member.key, problems: &problems, depth: depth + 1)
                }
            }
        default: break
        }
    }
}
