/// One lexical token of a template, with the 1-based line it starts on.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case symbol(String)
        case end
    }

    let kind: Kind
    let line: Int
}

/// Splits template source into text and tag tokens, applying whitespace control the way
/// jinja2 does under Hugging Face's settings (`trim_blocks`, `lstrip_blocks`, no trailing newline).
struct TemplateLexer {
    private let chars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var tokens: [TemplateToken] = []

    init(source: String) {
        // jinja2 normalises every newline to "\n" and drops one trailing newline.
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(source.unicodeScalars.count)
        var previousWasReturn = false
        for scalar in source.unicodeScalars {
            if scalar == "\n", previousWasReturn { previousWasReturn = false; continue }
            previousWasReturn = scalar == "\r"
            normalized.append(previousWasReturn ? "\n" : scalar)
        }
        if normalized.last == "\n" { normalized.removeLast() }
        chars = normalized
    }

    static func tokenize(_ source: String) throws(TemplateError) -> [TemplateToken] {
        var lexer = TemplateLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private func at(_ offset: Int, _ literal: String) -> Bool {
        var index = offset
        for scalar in literal.unicodeScalars {
            guard index < chars.count, chars[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    private mutating func run() throws(TemplateError) {
        var stripNextText = false
        while position < chars.count || stripNextText {
            var textStart = position
            if stripNextText {
                while textStart < chars.count, Self.isSpace(chars[textStart]) { textStart += 1 }
                countLines(position, textStart)
                position = textStart
                stripNextText = false
            }
            var tagStart = textStart
            while tagStart < chars.count, !(chars[tagStart] == "{" && tagStart + 1 < chars.count
                && ["{", "%", "#"].contains(chars[tagStart + 1])) {
                tagStart += 1
            }
            var textEnd = tagStart
            if tagStart < chars.count {
                let opener = chars[tagStart + 1]
                let modifier: Unicode.Scalar? = tagStart + 2 < chars.count ? chars[tagStart + 2] : nil
                if modifier == "-" {
                    while textEnd > textStart, Self.isSpace(chars[textEnd - 1]) { textEnd -= 1 }
                } else if modifier != "+", opener != "{" {
                    textEnd = lstripped(textStart: textStart, tagStart: tagStart)
                }
            }
            if textEnd > textStart {
                tokens.append(TemplateToken(kind: .text(String(String.UnicodeScalarView(chars[textStart..<textEnd]))), line: line))
            }
            countLines(textStart, tagStart)
            position = tagStart
            guard position < chars.count else { break }
            stripNextText = try lexTag()
        }
        tokens.append(TemplateToken(kind: .end, line: line))
    }

    /// lstrip_blocks: spaces and tabs between a line start and a block or comment tag vanish.
    private func lstripped(textStart: Int, tagStart: Int) -> Int {
        var lineStart = tagStart
        while lineStart > textStart, chars[lineStart - 1] != "\n" { lineStart -= 1 }
        let atLineStart = lineStart > textStart || textStart == 0 || chars[textStart - 1] == "\n"
        guard atLineStart, chars[lineStart..<tagStart].allSatisfy({ $0 == " " || $0 == "\t" }) else { return tagStart }
        return lineStart
    }

    private mutating func countLines(_ from: Int, _ to: Int) {
        for index in from..<max(from, to) where chars[index] == "\n" { line += 1 }
    }

    /// Lexes the tag at `position`; returns whether the following text loses its leading whitespace.
    private mutating func lexTag() throws(TemplateError) -> Bool {
        let opener = chars[position + 1]
        let startLine = line
        position += 2
        if position < chars.count, chars[position] == "-" || chars[position] == "+" { position += 1 }
        if opener == "#" {
            while position < chars.count, !at(position, "#}") {
                if chars[position] == "\n" { line += 1 }
                position += 1
            }
            guard position < chars.count else { throw .syntax(message: "comment not closed with #}", line: startLine) }
            let strip = chars[position - 1] == "-"
            let keepNewline = chars[position - 1] == "+"
            position += 2
            if !strip, !keepNewline { trimBlockNewline() }
            return strip
        }
        let isBlock = opener == "%"
        tokens.append(TemplateToken(kind: isBlock ? .blockBegin : .variableBegin, line: startLine))
        let closer = isBlock ? "%}" : "}}"
        var depth = 0
        while true {
            while position < chars.count, Self.isSpace(chars[position]) {
                if chars[position] == "\n" { line += 1 }
                position += 1
            }
            guard position < chars.count else {
                throw .syntax(message: "tag opened here is not closed with \(closer)", line: startLine)
            }
            if depth == 0 {
                for marker in ["-", "+", ""] where at(position, marker + closer) {
                    position += marker.unicodeScalars.count + 2
                    tokens.append(TemplateToken(kind: isBlock ? .blockEnd : .variableEnd, line: line))
                    if isBlock, marker.isEmpty { trimBlockNewline() }
                    return marker == "-"
                }
            }
            let token = try lexExpressionToken()
            if case .symbol(let symbol) = token {
                if ["(", "[", "{"].contains(symbol) { depth += 1 }
                if [")", "]", "}"].contains(symbol) { depth = max(0, depth - 1) }
            }
            tokens.append(TemplateToken(kind: token, line: line))
        }
    }

    /// trim_blocks: the first newline after a block or comment tag is removed.
    private mutating func trimBlockNewline() {
        if position < chars.count, chars[position] == "\n" {
            position += 1
            line += 1
        }
    }

    private static let symbols = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")",
                                  "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"]

    private mutating func lexExpressionToken() throws(TemplateError) -> TemplateToken.Kind {
        let scalar = chars[position]
        if scalar == "_" || scalar.properties.isAlphabetic && scalar.isASCII {
            let start = position
            while position < chars.count, chars[position] == "_" || chars[position].isASCII
                && (chars[position].properties.isAlphabetic || chars[position].properties.numericType != nil) {
                position += 1
            }
            return .name(String(String.UnicodeScalarView(chars[start..<position])))
        }
        if ("0"..."9").contains(scalar) { return try lexNumber() }
        if scalar == "'" || scalar == "\"" { return try lexString(quote: scalar) }
        for symbol in Self.symbols where at(position, symbol) {
            position += symbol.unicodeScalars.count
            return .symbol(symbol)
        }
        throw .syntax(message: "unexpected character '\(scalar)'", line: line)
    }

    private mutating func lexNumber() throws(TemplateError) -> TemplateToken.Kind {
        let start = position
        var isFloat = false
        func digits() { while position < chars.count, ("0"..."9").contains(chars[position]) || chars[position] == "_" { position += 1 } }
        digits()
        if position + 1 < chars.count, chars[position] == ".", ("0"..."9").contains(chars[position + 1]) {
            isFloat = true
            position += 1
            digits()
        }
        if position < chars.count, chars[position] == "e" || chars[position] == "E" {
            var probe = position + 1
            if probe < chars.count, chars[probe] == "+" || chars[probe] == "-" { probe += 1 }
            if probe < chars.count, ("0"..."9").contains(chars[probe]) {
                isFloat = true
                position = probe
                digits()
            }
        }
        let text = String(String.UnicodeScalarView(chars[start..<position].filter { $0 != "_" }))
        if isFloat, let value = Double(text) { return .float(value) }
        if let value = Int(text) { return .integer(value) }
        throw .syntax(message: "number \(text) out of range", line: line)
    }

    /// Python string literal escapes, as jinja2 applies them.
    private mutating func lexString(quote: Unicode.Scalar) throws(TemplateError) -> TemplateToken.Kind {
        let startLine = line
        position += 1
        var result = String.UnicodeScalarView()
        while position < chars.count, chars[position] != quote {
            var scalar = chars[position]
            if scalar == "\n" { line += 1 }
            position += 1
            if scalar == "\\", position < chars.count {
                let escape = chars[position]
                position += 1
                switch escape {
                case "n": scalar = "\n"
                case "t": scalar = "\t"
                case "r": scalar = "\r"
                case "0": scalar = "\0"
                case "a": scalar = "\u{07}"
                case "b": scalar = "\u{08}"
                case "f": scalar = "\u{0C}"
                case "v": scalar = "\u{0B}"
                case "\\", "'", "\"": scalar = escape
                case "\n": line += 1; continue
                case "x", "u", "U":
                    let width = escape == "x" ? 2 : escape == "u" ? 4 : 8
                    guard position + width <= chars.count,
                          let code = UInt32(String(String.UnicodeScalarView(chars[position..<position + width])), radix: 16),
                          let decoded = Unicode.Scalar(code)
                    else { throw .syntax(message: "bad \\\(escape) escape in string", line: line) }
                    position += width
                    scalar = decoded
                default:
                    result.append("\\")
                    scalar = escape
                }
            }
            result.append(scalar)
        }
        guard position < chars.count else { throw .syntax(message: "string literal not closed", line: startLine) }
        position += 1
        return .string(String(result))
    }
}
