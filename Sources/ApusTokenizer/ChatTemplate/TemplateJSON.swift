/// `json.dumps` as transformers' `tojson` filter calls it (ensure_ascii=False, no HTML escaping).
struct TemplateJSON {
    /// Indentation per level, nil for single-line output.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    /// Escape every non-ASCII character as \\uXXXX (json.dumps' ensure_ascii=True).
    var ensureASCII = false

    /// Python's defaults: ", " and ": " on one line, "," and ": " when indenting.
    init(indent: String?, separators: (String, String)?, sortKeys: Bool) {
        self.indent = indent
        itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        keySeparator = separators?.1 ?? ": "
        self.sortKeys = sortKeys
    }

    func dumps(_ value: Value) throws(TemplateError) -> String {
        var output = ""
        try write(value, level: 0, into: &output)
        return output
    }

    private func newline(_ level: Int, into output: inout String) {
        guard let indent else { return }
        output += "\n" + String(repeating: indent, count: level)
    }

    private func write(_ value: Value, level: Int, into output: inout String) throws(TemplateError) {
        switch value {
        case .none: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            if number.isNaN { output += "NaN" } else if number.isInfinite { output += number < 0 ? "-Infinity" : "Infinity" }
            else { output += PythonFormat.floatRepr(number) }
        case .string(let text): Self.writeString(text, asciiOnly: ensureASCII, into: &output)
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { output += itemSeparator }
                newline(level + 1, into: &output)
                try write(item, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "]"
        case .dict(let dict):
            guard dict.count > 0 else { output += "{}"; return }
            output += "{"
            let pairs = sortKeys ? dict.pairs.sorted { $0.0 < $1.0 } : dict.pairs
            for (offset, (key, item)) in pairs.enumerated() {
                if offset > 0 { output += itemSeparator }
                newline(level + 1, into: &output)
                Self.writeString(key, asciiOnly: ensureASCII, into: &output)
                output += keySeparator
                try write(item, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "}"
        case .undefined, .namespace, .callable:
            throw .runtime(message: "Object of type \(value.typeName) is not JSON serializable", line: nil)
        }
    }

    /// JSON string escaping with non-ASCII kept as is (ensure_ascii=False).
    static func writeString(_ text: String, asciiOnly: Bool, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    // Outside the BMP, ensure_ascii writes a UTF-16 surrogate pair.
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
