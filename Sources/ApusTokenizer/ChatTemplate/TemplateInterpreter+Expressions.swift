/// Expression evaluation with Python semantics: operators, attribute and item access, calls.
extension TemplateInterpreter {
    func evaluate(_ expression: Expression, in scope: Scope) throws(TemplateError) -> Value {
        switch expression {
        case .literal(let literal):
            return Value(literal)
        case .name(let name):
            return scope.lookup(name) ?? .undefined(hint: "'\(name)' is undefined")
        case .list(let items), .tuple(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .array(values)
        case .dict(let pairs):
            var dict = OrderedDict()
            for pair in pairs {
                let key = try evaluate(pair.key, in: scope)
                guard case .string(let text) = key else {
                    throw .runtime(message: "dict keys must be strings, got \(key.typeName)", line: nil)
                }
                dict[text] = try evaluate(pair.value, in: scope)
            }
            return .dict(dict)
        case .attribute(let base, let name):
            return try Self.attribute(name, of: try evaluate(base, in: scope))
        case .index(let base, let index):
            return try Self.item(try evaluate(index, in: scope), of: try evaluate(base, in: scope))
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base, in: scope)
            func bound(_ expression: Expression?) throws(TemplateError) -> Int? {
                guard let expression else { return nil }
                let value = try evaluate(expression, in: scope)
                if case .none = value { return nil }
                guard let number = value.integer else { throw .runtime(message: "slice indices must be integers", line: nil) }
                return number
            }
            return try Self.slice(value, start: try bound(start), stop: try bound(stop), step: try bound(step))
        case .call(let callee, let arguments):
            return try call(try evaluate(callee, in: scope), try evaluateArguments(arguments, in: scope))
        case .filter(let base, let name, let arguments):
            return try applyFilter(name, to: try evaluate(base, in: scope), arguments, in: scope)
        case .test(let base, let name, let arguments, let negated):
            let value = try evaluate(base, in: scope)
            let result = try TemplateTests.apply(name, value, try evaluateArguments(arguments, in: scope))
            return .bool(result != negated)
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .negate(let operand):
            let value = try evaluate(operand, in: scope)
            switch value {
            case .int(let number): return .int(-number)
            case .bool(let flag): return .int(flag ? -1 : 0)
            case .double(let number): return .double(-number)
            default: throw Self.typeError("bad operand type for unary -: '\(value.typeName)'", value)
            }
        case .plus(let operand):
            return try evaluate(operand, in: scope)
        case .and(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? try evaluate(right, in: scope) : value
        case .or(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? value : try evaluate(right, in: scope)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition, in: scope).isTruthy { return try evaluate(then, in: scope) }
            guard let otherwise else { return .undefined(hint: "the inline if expression had no else branch") }
            return try evaluate(otherwise, in: scope)
        case .unsupported(let construct, let line):
            throw .unsupported(construct: construct, line: line)
        case .binary(let op, let left, let right):
            return try TemplateOperators.apply(op, try evaluate(left, in: scope), try evaluate(right, in: scope))
        }
    }

    func evaluateArguments(_ arguments: [Argument], in scope: Scope) throws(TemplateError) -> Arguments {
        var result = Arguments()
        for argument in arguments {
            let value = try evaluate(argument.value, in: scope)
            if let name = argument.name { result.keyword.append((name, value)) } else { result.positional.append(value) }
        }
        return result
    }

    func call(_ function: Value, _ arguments: Arguments) throws(TemplateError) -> Value {
        switch function {
        case .callable(let callable): return try callable.body(arguments, self)
        case .undefined(let hint): throw Self.undefinedError(hint)
        default: throw .runtime(message: "'\(function.typeName)' object is not callable", line: nil)
        }
    }

    func applyFilter(_ name: String, to value: Value, _ arguments: [Argument], in scope: Scope) throws(TemplateError) -> Value {
        try TemplateFilters.apply(name, value, try evaluateArguments(arguments, in: scope), self)
    }

    static func undefinedError(_ hint: String) -> TemplateError { .runtime(message: hint, line: nil) }

    /// A type error, or the undefined error if the culprit is undefined (as jinja2 reports it).
    static func typeError(_ message: String, _ values: Value...) -> TemplateError {
        for case .undefined(let hint) in values { return undefinedError(hint) }
        return .runtime(message: message, line: nil)
    }

    /// `value.name`: jinja2 tries the Python attribute first (methods), then the item.
    static func attribute(_ name: String, of value: Value) throws(TemplateError) -> Value {
        switch value {
        case .undefined(let hint):
            throw undefinedError(hint)
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined(hint: "'Namespace' object has no attribute '\(name)'")
        case .dict(let dict):
            if let method = TemplateMethods.method(name, of: value) { return method }
            return dict[name] ?? .undefined(hint: "'dict object' has no attribute '\(name)'")
        default:
            if let method = TemplateMethods.method(name, of: value) { return method }
            return .undefined(hint: "'\(value.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `value[key]`: jinja2 tries the item first, then the attribute for string keys.
    static func item(_ key: Value, of value: Value) throws(TemplateError) -> Value {
        switch (value, key) {
        case (.undefined(let hint), _):
            throw undefinedError(hint)
        case (.dict(let dict), .string(let name)):
            if let item = dict[name] { return item }
        case (.array(let items), _):
            if let index = key.integer {
                let resolved = index < 0 ? index + items.count : index
                if items.indices.contains(resolved) { return items[resolved] }
                return .undefined(hint: "list object has no element \(index)")
            }
        case (.string(let text), _):
            if let index = key.integer {
                let scalars = Array(text.unicodeScalars)
                let resolved = index < 0 ? index + scalars.count : index
                if scalars.indices.contains(resolved) { return .string(String(scalars[resolved])) }
                return .undefined(hint: "str object has no element \(index)")
            }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(name, of: value) }
        return .undefined(hint: "'\(value.typeName) object' has no element \(key.pythonRepr)")
    }

    /// Python slicing of lists and strings, negative steps included.
    static func slice(_ value: Value, start: Int?, stop: Int?, step: Int?) throws(TemplateError) -> Value {
        let step = step ?? 1
        guard step != 0 else { throw .runtime(message: "slice step cannot be zero", line: nil) }
        func indices(_ count: Int) -> [Int] {
            func clamp(_ bound: Int?, _ defaultValue: Int) -> Int {
                guard var index = bound else { return defaultValue }
                if index < 0 { index += count }
                return step > 0 ? min(max(index, 0), count) : min(max(index, -1), count - 1)
            }
            let first = clamp(start, step > 0 ? 0 : count - 1)
            let end = clamp(stop, step > 0 ? count : -1)
            return Array(stride(from: first, to: end, by: step))
        }
        switch value {
        case .undefined(let hint): throw undefinedError(hint)
        case .array(let items): return .array(indices(items.count).map { items[$0] })
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            var result = String.UnicodeScalarView()
            for index in indices(scalars.count) { result.append(scalars[index]) }
            return .string(String(result))
        default: throw .runtime(message: "'\(value.typeName)' object is not subscriptable", line: nil)
        }
    }
}
