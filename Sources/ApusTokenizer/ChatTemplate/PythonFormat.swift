import Foundation

/// Python's textual conventions that templates expose: `repr`, float printing, `str.format`
/// and `strftime`.
enum PythonFormat {
    /// `repr(float)`: shortest round-trip digits, always with a '.' or exponent.
    static func floatRepr(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        if number == number.rounded(), abs(number) < 1e16 {
            return String(format: "%.1f", number)
        }
        var text = "\(number)"
        // Swift writes "1e-05" like Python, but "5e+16" vs Python's "5e+16" also agree; only
        // a missing exponent sign differs.
        if let range = text.range(of: "e"), !text[range.upperBound...].hasPrefix("-"), !text[range.upperBound...].hasPrefix("+") {
            text.insert("+", at: range.upperBound)
        }
        return text
    }

    /// `repr(str)`: single quotes unless the text has a single quote and no double quote.
    static func stringRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if scalar.value < 0x20 || (0x7F...0xA0).contains(scalar.value) {
                    result += String(format: "\\x%02x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result.append(quote)
        return result
    }

    /// `str.format` with `{}`, `{0}` and `{name}` fields (no format specs).
    static func format(_ template: String, _ arguments: Arguments) throws(TemplateError) -> String {
        var result = ""
        var automaticIndex = 0
        var iterator = Array(template).makeIterator()
        while let character = iterator.next() {
            if character == "}" {
                guard iterator.next() == "}" else { throw .runtime(message: "Single '}' encountered in format string", line: nil) }
                result.append("}")
                continue
            }
            guard character == "{" else { result.append(character); continue }
            var field = ""
            var closed = false
            while let next = iterator.next() {
                if next == "{" && field.isEmpty { result.append("{"); closed = true; field = "{"; break }
                if next == "}" { closed = true; break }
                field.append(next)
            }
            guard closed else { throw .runtime(message: "Single '{' encountered in format string", line: nil) }
            if field == "{" { continue }
            guard !field.contains(":"), !field.contains("!") else {
                throw .runtime(message: "format specs in str.format ('{\(field)}') are not supported", line: nil)
            }
            let value: Value?
            if field.isEmpty {
                value = automaticIndex < arguments.positional.count ? arguments.positional[automaticIndex] : nil
                automaticIndex += 1
            } else if let position = Int(field) {
                value = position < arguments.positional.count ? arguments.positional[position] : nil
            } else {
                value = arguments.keyword.first { $0.0 == field }?.1
            }
            guard let value else { throw .runtime(message: "str.format has no argument for '{\(field)}'", line: nil) }
            result += value.displayString
        }
        return result
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// `datetime.strftime` in the C locale for the directives chat templates use.
    static func strftime(_ format: String, _ date: Date) throws(TemplateError) -> String {
        let calendar = Calendar(identifier: .gregorian)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let year = parts.year ?? 1970, month = parts.month ?? 1, day = parts.day ?? 1
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
        let weekday = (parts.weekday ?? 1) - 1
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        var result = ""
        var iterator = Array(format).makeIterator()
        while let character = iterator.next() {
            guard character == "%" else { result.append(character); continue }
            guard let directive = iterator.next() else { result.append("%"); break }
            switch directive {
            case "Y": result += String(year)
            case "y": result += two(year % 100)
            case "m": result += two(month)
            case "d": result += two(day)
            case "H": result += two(hour)
            case "I": result += two(hour % 12 == 0 ? 12 : hour % 12)
            case "p": result += hour < 12 ? "AM" : "PM"
            case "M": result += two(minute)
            case "S": result += two(second)
            case "B": result += monthNames[month - 1]
            case "b", "h": result += String(monthNames[month - 1].prefix(3))
            case "A": result += dayNames[weekday]
            case "a": result += String(dayNames[weekday].prefix(3))
            case "w": result += String(weekday)
            case "j": result += String(format: "%03d", dayOfYear)
            case "%": result += "%"
            default: throw .runtime(message: "strftime directive %\(directive) is not supported", line: nil)
            }
        }
        return result
    }
}
