/// Binary operators with Python's rules for ints, floats, strings and lists.
enum TemplateOperators {
    static func apply(_ op: String, _ left: Value, _ right: Value) throws(TemplateError) -> Value {
        switch op {
        case "~": return .string(left.displayString + right.displayString)
        case "==": return .bool(left.equals(right))
        case "!=": return .bool(!left.equals(right))
        case "<", ">", "<=", ">=": return .bool(try compare(op, left, right))
        case "in": return .bool(try contains(right, left))
        default: return try arithmetic(op, left, right)
        }
    }

    private static func unsupported(_ op: String, _ left: Value, _ right: Value) -> TemplateError {
        TemplateInterpreter.typeError(
            "unsupported operand type(s) for \(op): '\(left.typeName)' and '\(right.typeName)'", left, right)
    }

    /// Python ordering (`<` etc.) for numbers, strings and lists.
    static func lessThan(_ left: Value, _ right: Value) throws(TemplateError) -> Bool {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) where !x.equals(y) { return try lessThan(x, y) }
            return a.count < b.count
        default:
            if let a = left.numeric, let b = right.numeric { return a < b }
            throw TemplateInterpreter.typeError(
                "'<' not supported between instances of '\(left.typeName)' and '\(right.typeName)'", left, right)
        }
    }

    private static func compare(_ op: String, _ left: Value, _ right: Value) throws(TemplateError) -> Bool {
        switch op {
        case "<": return try lessThan(left, right)
        case ">": return try lessThan(right, left)
        case "<=": return try !lessThan(right, left)
        default: return try !lessThan(left, right)
        }
    }

    /// Python `needle in container`.
    static func contains(_ container: Value, _ needle: Value) throws(TemplateError) -> Bool {
        switch container {
        case .undefined: return false
        case .string(let text):
            guard case .string(let part) = needle else {
                throw TemplateInterpreter.typeError("'in <string>' requires string as left operand, not \(needle.typeName)", needle)
            }
            return part.isEmpty || text.contains(part)
        case .array(let items): return items.contains { $0.equals(needle) }
        case .dict(let dict):
            if case .string(let key) = needle { return dict[key] != nil }
            return false
        default:
            throw .runtime(message: "argument of type '\(container.typeName)' is not iterable", line: nil)
        }
    }

    private static func arithmetic(_ op: String, _ left: Value, _ right: Value) throws(TemplateError) -> Value {
        switch (op, left, right) {
        case ("+", .string(let a), .string(let b)): return .string(a + b)
        case ("+", .array(let a), .array(let b)): return .array(a + b)
        case ("+", .string, _):
            throw TemplateInterpreter.typeError("can only concatenate str (not \"\(right.typeName)\") to str", right)
        case ("+", .array, _):
            throw TemplateInterpreter.typeError("can only concatenate list (not \"\(right.typeName)\") to list", right)
        case ("*", .string(let text), _):
            if let count = right.integer { return .string(String(repeating: text, count: max(0, count))) }
        case ("*", .array(let items), _):
            if let count = right.integer { return .array(Array(repeating: items, count: max(0, count)).flatMap { $0 }) }
        case ("%", .string, _):
            throw .runtime(message: "printf-style '%' string formatting is not supported; use ~ or format", line: nil)
        default:
            break
        }
        if let a = left.integer, let b = right.integer {
            switch op {
            case "+": return .int(a &+ b)
            case "-": return .int(a &- b)
            case "*": return .int(a &* b)
            case "/":
                guard b != 0 else { throw .runtime(message: "division by zero", line: nil) }
                return .double(Double(a) / Double(b))
            case "//", "%":
                guard b != 0 else { throw .runtime(message: "integer division or modulo by zero", line: nil) }
                var quotient = a / b
                if (a % b != 0) && ((a < 0) != (b < 0)) { quotient -= 1 }
                return .int(op == "//" ? quotient : a - quotient * b)
            case "**":
                if b >= 0 { return .int((0..<b).reduce(1) { result, _ in result &* a }) }
                return .double(pow(Double(a), Double(b)))
            default: break
            }
        }
        guard let a = left.numeric, let b = right.numeric else { throw unsupported(op, left, right) }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/", "//", "%":
            guard b != 0 else { throw .runtime(message: "float division by zero", line: nil) }
            if op == "/" { return .double(a / b) }
            let quotient = (a / b).rounded(.down)
            return .double(op == "//" ? quotient : a - quotient * b)
        case "**": return .double(pow(a, b))
        default: throw unsupported(op, left, right)
        }
    }
}

import Foundation
