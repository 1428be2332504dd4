/// jinja2's filters (`x | length`, `x | join(", ")`, ...), with transformers' `tojson`.
enum TemplateFilters {
    /// Names the parser accepts; anything else is a compile-time "unsupported" error.
    static let names: Set = [
        "length", "count", "trim", "default", "d", "items", "join", "upper", "lower", "title", "capitalize", "replace",
        "tojson", "string", "int", "float", "list", "first", "last", "map", "select", "reject", "selectattr",
        "rejectattr", "unique", "sort", "dictsort", "reverse", "safe", "escape", "e", "indent", "wordcount", "round",
        "abs", "max", "min", "sum", "batch", "center",
    ]

    static func apply(_ name: String, _ value: Value, _ arguments: Arguments,
                      _ interpreter: TemplateInterpreter) throws(TemplateError) -> Value {
        func argument(_ position: Int, _ key: String) -> Value? { arguments.value(position, key) }
        func flag(_ position: Int, _ key: String) -> Bool { argument(position, key)?.isTruthy ?? false }
        switch name {
        case "length", "count":
            switch value {
            case .undefined: return .int(0)
            case .string(let text): return .int(text.unicodeScalars.count)
            case .array(let items): return .int(items.count)
            case .dict(let dict): return .int(dict.count)
            default: throw .runtime(message: "object of type '\(value.typeName)' has no len()", line: nil)
            }
        case "trim":
            var characters: String?
            if case .string(let text)? = argument(0, "chars") { characters = text }
            return .string(StringFunctions.strip(value.displayString, characters: characters, leading: true, trailing: true))
        case "default", "d":
            let useDefault = value.isUndefined || (flag(1, "boolean") && !value.isTruthy)
            return useDefault ? (argument(0, "default_value") ?? .string("")) : value
        case "items":
            switch value {
            case .undefined: return .array([])
            case .dict(let dict): return .array(dict.pairs.map { .array([.string($0.0), $0.1]) })
            default: throw TemplateInterpreter.typeError("Can only get item pairs from a mapping.", value)
            }
        case "join":
            var items = try value.iterate()
            if case .string(let path)? = argument(1, "attribute") { items = try items.map { item throws(TemplateError) in try lookup(path, in: item) } }
            return .string(items.map(\.displayString).joined(separator: argument(0, "d")?.displayString ?? ""))
        case "upper": return .string(value.displayString.uppercased())
        case "lower": return .string(value.displayString.lowercased())
        case "title": return .string(StringFunctions.title(value.displayString))
        case "capitalize": return .string(StringFunctions.capitalize(value.displayString))
        case "replace":
            return .string(StringFunctions.replace(value.displayString, argument(0, "old")?.displayString ?? "",
                                                   argument(1, "new")?.displayString ?? "",
                                                   count: argument(2, "count")?.integer ?? -1))
        case "tojson":
            return .string(try toJSON(value, arguments))
        case "string", "safe": return name == "safe" && !value.isUndefined ? value : .string(value.displayString)
        case "escape", "e": return .string(escapeHTML(value.displayString))
        case "int": return toInt(value, defaultValue: argument(0, "default") ?? .int(0))
        case "float": return toFloat(value, defaultValue: argument(0, "default") ?? .double(0))
        case "list": return .array(try value.iterate())
        case "first": return try value.iterate().first ?? .undefined(hint: "first() of an empty sequence")
        case "last": return try value.iterate().last ?? .undefined(hint: "last() of an empty sequence")
        case "reverse":
            if case .string(let text) = value { return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed()))) }
            return .array(try value.iterate().reversed())
        case "map", "select", "reject", "selectattr", "rejectattr":
            return try TemplateSequenceFilters.apply(name, value, arguments, interpreter)
        case "unique", "sort", "dictsort", "max", "min", "sum", "batch":
            return try TemplateSequenceFilters.apply(name, value, arguments, interpreter)
        case "indent": return .string(indent(value.displayString, arguments))
        case "wordcount":
            let words = value.displayString.split { !($0.isLetter || $0.isNumber || $0 == "_") }
            return .int(words.count)
        case "round":
            guard let number = value.numeric else { throw TemplateInterpreter.typeError("round needs a number", value) }
            let precision = argument(0, "precision")?.integer ?? 0
            let method = argument(1, "method")?.displayString ?? "common"
            let scale = pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((number * scale).rounded(rule) / scale)
        case "abs":
            if case .int(let number) = value { return .int(abs(number)) }
            guard let number = value.numeric else { throw TemplateInterpreter.typeError("abs needs a number", value) }
            return .double(abs(number))
        case "center":
            let text = value.displayString
            let width = argument(0, "width")?.integer ?? 80
            let padding = max(0, width - text.unicodeScalars.count)
            let left = padding / 2 + (padding % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left))
        default:
            throw .runtime(message: "no filter named '\(name)'", line: nil)
        }
    }

    /// `item.a.b` for filters that take `attribute=` (dotted paths and integer parts allowed).
    static func lookup(_ path: String, in item: Value) throws(TemplateError) -> Value {
        var current = item
        for part in path.split(separator: ".") {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            current = try TemplateInterpreter.item(key, of: current)
        }
        return current
    }

    private static func toJSON(_ value: Value, _ arguments: Arguments) throws(TemplateError) -> String {
        var indentText: String?
        switch arguments.value(1, "indent") {
        case .int(let width)?: indentText = String(repeating: " ", count: max(0, width))
        case .string(let text)?: indentText = text
        default: break
        }
        var separators: (String, String)?
        if case .array(let pair)? = arguments.value(2, "separators"), pair.count == 2 {
            separators = (pair[0].displayString, pair[1].displayString)
        }
        var encoder = TemplateJSON(indent: indentText, separators: separators,
                                   sortKeys: arguments.value(3, "sort_keys")?.isTruthy ?? false)
        encoder.ensureASCII = arguments.value(0, "ensure_ascii")?.isTruthy ?? false
        return try encoder.dumps(value)
    }

    private static func escapeHTML(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&#34;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    private static func toInt(_ value: Value, defaultValue: Value) -> Value {
        switch value {
        case .int, .bool: return .int(value.integer ?? 0)
        case .double(let number): return number.isFinite ? .int(Int(number)) : defaultValue
        case .string(let text):
            let trimmed = StringFunctions.strip(text, characters: nil, leading: true, trailing: true)
            if let number = Int(trimmed.filter { $0 != "_" }) { return .int(number) }
            if let number = Double(trimmed), number.isFinite { return .int(Int(number)) }
            return defaultValue
        default: return defaultValue
        }
    }

    private static func toFloat(_ value: Value, defaultValue: Value) -> Value {
        if let number = value.numeric { return .double(number) }
        if case .string(let text) = value,
           let number = Double(StringFunctions.strip(text, characters: nil, leading: true, trailing: true)) {
            return .double(number)
        }
        return defaultValue
    }

    /// jinja2's `indent(width=4, first=False, blank=False)`.
    private static func indent(_ text: String, _ arguments: Arguments) -> String {
        let indentation: String
        switch arguments.value(0, "width") {
        case .string(let custom)?: indentation = custom
        case let width?: indentation = String(repeating: " ", count: max(0, width.integer ?? 4))
        case nil: indentation = "    "
        }
        let first = arguments.value(1, "first")?.isTruthy ?? false
        let blank = arguments.value(2, "blank")?.isTruthy ?? false
        var lines = (text + "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty { result += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n") }
        }
        return first ? indentation + result : result
    }
}

import Foundation
