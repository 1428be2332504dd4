/// Python methods of str, dict and list that templates call (`s.strip()`, `d.get(k)`, ...).
/// Mutating methods exist but fail when called, as in transformers' immutable sandbox.
enum TemplateMethods {
    private static let unsafeDictMethods: Set = ["pop", "popitem", "setdefault", "update", "clear"]
    private static let unsafeListMethods: Set = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"]

    /// The bound method `name` of `value`, or nil when it has no such method.
    static func method(_ name: String, of value: Value) -> Value? {
        func bound(_ body: @escaping (Arguments) throws(TemplateError) -> Value) -> Value {
            .callable(Callable(name: name) { arguments, _ throws(TemplateError) in try body(arguments) })
        }
        switch value {
        case .string(let text):
            guard stringMethodNames.contains(name) else { return nil }
            return bound { arguments throws(TemplateError) in try stringMethod(name, text, arguments) }
        case .dict(let dict):
            if unsafeDictMethods.contains(name) {
                return .undefined(hint: "access to attribute '\(name)' of 'dict' object is unsafe.")
            }
            switch name {
            case "get":
                return bound { arguments throws(TemplateError) in
                    guard case .string(let key)? = arguments.value(0, "key") else { return arguments.value(1, "default") ?? .none }
                    return dict[key] ?? arguments.value(1, "default") ?? .none
                }
            case "items": return bound { _ in .array(dict.pairs.map { .array([.string($0.0), $0.1]) }) }
            case "keys": return bound { _ in .array(dict.keys.map { .string($0) }) }
            case "values": return bound { _ in .array(dict.pairs.map(\.1)) }
            case "copy": return bound { _ in .dict(dict) }
            default: return nil
            }
        case .array(let items):
            if unsafeListMethods.contains(name) {
                return .undefined(hint: "access to attribute '\(name)' of 'list' object is unsafe.")
            }
            switch name {
            case "index":
                return bound { arguments throws(TemplateError) in
                    let needle = arguments.value(0, "value") ?? .none
                    guard let index = items.firstIndex(where: { $0.equals(needle) }) else {
                        throw .runtime(message: "\(needle.pythonRepr) is not in list", line: nil)
                    }
                    return .int(index)
                }
            case "count":
                return bound { arguments in
                    let needle = arguments.value(0, "value") ?? .none
                    return .int(items.filter { $0.equals(needle) }.count)
                }
            default: return nil
            }
        default:
            return nil
        }
    }

    private static let stringMethodNames: Set = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "startswith", "endswith", "replace", "upper", "lower",
        "title", "capitalize", "format", "find", "rfind", "count", "join", "splitlines", "isdigit", "isspace",
        "isalpha", "isalnum", "islower", "isupper",
    ]

    private static func string(_ arguments: Arguments, _ position: Int, _ name: String) throws(TemplateError) -> String? {
        switch arguments.value(position, name) {
        case nil, .none?: return nil
        case .string(let text)?: return text
        case let other?: throw .runtime(message: "expected a string argument, got \(other.typeName)", line: nil)
        }
    }

    private static func stringMethod(_ name: String, _ text: String, _ arguments: Arguments) throws(TemplateError) -> Value {
        switch name {
        case "strip", "lstrip", "rstrip":
            return .string(StringFunctions.strip(text, characters: try string(arguments, 0, "chars"),
                                                 leading: name != "rstrip", trailing: name != "lstrip"))
        case "split", "rsplit":
            let limit = arguments.value(1, "maxsplit")?.integer ?? -1
            let parts = StringFunctions.split(text, separator: try string(arguments, 0, "sep"), limit: limit,
                                              fromRight: name == "rsplit")
            return .array(parts.map { .string($0) })
        case "startswith", "endswith":
            var candidates: [String] = []
            switch arguments.value(0, "prefix") {
            case .string(let candidate)?: candidates = [candidate]
            case .array(let items)?: candidates = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            default: throw .runtime(message: "\(name) needs a string or tuple of strings", line: nil)
            }
            return .bool(candidates.contains { name == "startswith" ? text.unicodeScalars.starts(with: $0.unicodeScalars)
                : text.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
        case "replace":
            guard let old = try string(arguments, 0, "old"), let new = try string(arguments, 1, "new") else {
                throw .runtime(message: "replace() needs two strings", line: nil)
            }
            return .string(StringFunctions.replace(text, old, new, count: arguments.value(2, "count")?.integer ?? -1))
        case "upper": return .string(text.uppercased())
        case "lower": return .string(text.lowercased())
        case "title": return .string(StringFunctions.title(text))
        case "capitalize": return .string(StringFunctions.capitalize(text))
        case "format": return .string(try PythonFormat.format(text, arguments))
        case "find", "rfind", "count":
            guard let needle = try string(arguments, 0, "sub") else { throw .runtime(message: "\(name) needs a string", line: nil) }
            let positions = StringFunctions.occurrences(of: needle, in: text)
            if name == "count" { return .int(positions.count) }
            return .int((name == "find" ? positions.first : positions.last) ?? -1)
        case "join":
            let items = try (arguments.value(0, "iterable") ?? .array([])).iterate()
            return .string(items.map(\.displayString).joined(separator: text))
        case "splitlines":
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return .array(lines.map { .string($0) })
        case "isdigit": return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) })
        case "isspace": return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(\.properties.isWhitespace))
        case "isalpha": return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(\.properties.isAlphabetic))
        case "isalnum":
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "islower": return .bool(text.contains { $0.isLowercase } && !text.contains { $0.isUppercase })
        default: return .bool(text.contains { $0.isUppercase } && !text.contains { $0.isLowercase })
        }
    }
}
