/// jinja2's tests (`x is defined`, `x is divisibleby 3`, ...).
enum TemplateTests {
    /// Names the parser accepts; anything else is a compile-time "unsupported" error.
    static let names: Set = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence",
        "boolean", "true", "false", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan",
        "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "callable", "lower", "upper", "escaped",
        "filter", "test",
    ]

    static func apply(_ name: String, _ value: Value, _ arguments: Arguments) throws(TemplateError) -> Bool {
        let argument = arguments.positional.first ?? .undefined(hint: "test '\(name)' needs an argument")
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "number": if case .int = value { return true } else if case .double = value { return true }
            else if case .bool = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable":
            switch value {
            case .undefined, .string, .array, .dict: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .array, .dict: return true
            default: return false
            }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "odd", "even":
            guard let number = value.integer else { throw TemplateInterpreter.typeError("\(name) needs an integer", value) }
            return (abs(number) % 2 == 1) == (name == "odd")
        case "divisibleby":
            guard let number = value.integer, let divisor = argument.integer, divisor != 0 else {
                throw TemplateInterpreter.typeError("divisibleby needs integers and a non-zero divisor", value, argument)
            }
            return number % divisor == 0
        case "eq", "equalto", "==": return value.equals(argument)
        case "ne", "!=": return !value.equals(argument)
        case "lt", "lessthan", "<": return try TemplateOperators.lessThan(value, argument)
        case "gt", "greaterthan", ">": return try TemplateOperators.lessThan(argument, value)
        case "le", "<=": return try !TemplateOperators.lessThan(argument, value)
        case "ge", ">=": return try !TemplateOperators.lessThan(value, argument)
        case "in": return try TemplateOperators.contains(argument, value)
        case "sameas":
            switch (value, argument) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "lower": if case .string(let text) = value { return text == text.lowercased() } else { return false }
        case "upper": if case .string(let text) = value { return text == text.uppercased() } else { return false }
        case "escaped": return false
        case "filter", "test":
            guard case .string(let other) = value else { return false }
            return name == "filter" ? TemplateFilters.names.contains(other) : names.contains(other)
        default:
            throw .runtime(message: "no test named '\(name)'", line: nil)
        }
    }
}
