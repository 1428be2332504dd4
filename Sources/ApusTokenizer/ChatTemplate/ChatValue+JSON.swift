/// Why a JSON text could not be read into a `ChatValue`.
public struct ChatJSONError: Error, CustomStringConvertible {
    /// What was wrong and where (byte offset into the UTF-8 text).
    public let description: String
}

extension ChatValue {
    /// Parses JSON text, keeping object keys in document order (Foundation's parser loses it).
    /// Numbers without a fraction or exponent become `.int` when they fit, as in Python.
    public init(json: String) throws(ChatJSONError) {
        var reader = JSONReader(bytes: Array(json.utf8))
        self = try reader.readDocument()
    }
}

/// A small recursive-descent JSON reader over UTF-8 bytes.
private struct JSONReader {
    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readDocument() throws(ChatJSONError) -> ChatValue {
        let value = try readValue()
        skipWhitespace()
        if position != bytes.count { throw fail("unexpected text after the JSON value") }
        return value
    }

    private func fail(_ what: String) -> ChatJSONError {
        ChatJSONError(description: "invalid JSON at byte \(position): \(what); pass well-formed JSON")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String) throws(ChatJSONError) {
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw fail("expected \(literal)") }
            position += 1
        }
    }

    private mutating func readValue() throws(ChatJSONError) -> ChatValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of text") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try readNumber()
        }
    }

    private mutating func enter() throws(ChatJSONError) {
        depth += 1
        if depth > 512 { throw fail("nesting deeper than 512 levels") }
    }

    private mutating func readObject() throws(ChatJSONError) -> ChatValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var object = ChatObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try readString()
            skipWhitespace()
            try expect(":")
            object[key] = try readValue()
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(object) }
            throw fail("expected , or }")
        }
    }

    private mutating func readArray() throws(ChatJSONError) -> ChatValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements: [ChatValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            elements.append(try readValue())
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw fail("expected , or ]")
        }
    }

    private mutating func readHex4() throws(ChatJSONError) -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
        else { throw fail("bad \\u escape") }
        position += 4
        return value
    }

    private mutating func readString() throws(ChatJSONError) -> String {
        position += 1
        var result = ""
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                position += 1
                return result
            }
            if byte < 0x20 { throw fail("control character in string") }
            guard byte == UInt8(ascii: "\\") else { position += 1; continue }
            result += String(decoding: bytes[runStart..<position], as: UTF8.self)
            position += 1
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): result += "\""
            case UInt8(ascii: "\\"): result += "\\"
            case UInt8(ascii: "/"): result += "/"
            case UInt8(ascii: "b"): result += "\u{08}"
            case UInt8(ascii: "f"): result += "\u{0C}"
            case UInt8(ascii: "n"): result += "\n"
            case UInt8(ascii: "r"): result += "\r"
            case UInt8(ascii: "t"): result += "\t"
            case UInt8(ascii: "u"):
                var code = try readHex4()
                // A surrogate pair spells one scalar outside the Basic Multilingual Plane.
                if (0xD800..<0xDC00).contains(code), position + 6 <= bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try readHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        position -= 6
                    }
                }
                result.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: throw fail("unknown escape")
            }
            runStart = position
        }
        throw fail("unterminated string")
    }

    private mutating func readNumber() throws(ChatJSONError) -> ChatValue {
        let start = position
        var isInteger = true
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if text.isEmpty { throw fail("unexpected character") }
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("bad number \(text)") }
        return .double(value)
    }
}
