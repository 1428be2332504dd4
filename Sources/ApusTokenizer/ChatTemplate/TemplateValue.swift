/// A Python dict with string keys, in insertion order.
struct OrderedDict {
    private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if storage[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            storage[key] = newValue
        }
    }

    var count: Int { keys.count }
    var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }
}

/// `namespace()` objects: the one mutable value, shared by reference as in Python.
final class Namespace {
    var attributes = OrderedDict()
}

/// Arguments of a call: positional then keyword.
struct Arguments {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []

    /// The argument at `position` or named `name`, whichever was given.
    func value(_ position: Int, _ name: String) -> Value? {
        if let pair = keyword.first(where: { $0.0 == name }) { return pair.1 }
        return position < positional.count ? positional[position] : nil
    }
}

/// A function a template can call: builtins, bound methods and macros.
struct Callable {
    let name: String
    let body: (Arguments, TemplateInterpreter) throws(TemplateError) -> Value
}

/// A runtime value with Python's semantics (jinja2 evaluates with Python objects).
enum Value {
    /// jinja2's default Undefined: prints as "", iterates as empty, fails on other use with `hint`.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// Lists and tuples alike.
    case array([Value])
    case dict(OrderedDict)
    case namespace(Namespace)
    case callable(Callable)

    init(_ value: ChatValue) {
        switch value {
        case .null: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(Value.init))
        case .object(let object):
            var dict = OrderedDict()
            for (key, item) in object.entries { dict[key] = Value(item) }
            self = .dict(dict)
        }
    }

    init(_ literal: Literal) {
        switch literal {
        case .none: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// Python's truth value.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .array(let items): return !items.isEmpty
        case .dict(let dict): return dict.count > 0
        case .namespace, .callable: return true
        }
    }

    /// Python's type name, for error messages like jinja2's.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        }
    }

    /// `str(value)` as jinja2 prints it.
    var displayString: String {
        switch self {
        case .undefined: return ""
        case .string(let text): return text
        default: return pythonRepr
        }
    }

    /// Python's `repr`, used when lists and dicts are printed.
    var pythonRepr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .double(let number): return PythonFormat.floatRepr(number)
        case .string(let text): return PythonFormat.stringRepr(text)
        case .array(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let dict):
            return "{" + dict.pairs.map { PythonFormat.stringRepr($0.0) + ": " + $0.1.pythonRepr }.joined(separator: ", ") + "}"
        case .namespace(let namespace):
            return "<Namespace " + namespace.attributes.pairs.map { "\($0.0)=\($0.1.pythonRepr)" }.joined(separator: ", ") + ">"
        case .callable(let callable): return "<function \(callable.name)>"
        }
    }

    /// The number as a Double, for mixed int/float arithmetic and comparison (bools count as 0/1).
    var numeric: Double? {
        switch self {
        case .bool(let flag): return flag ? 1 : 0
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// The value as an Int when it is an int or bool.
    var integer: Int? {
        switch self {
        case .bool(let flag): return flag ? 1 : 0
        case .int(let number): return number
        default: return nil
        }
    }

    /// Python `==`.
    func equals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && a.pairs.allSatisfy { key, value in b[key].map { value.equals($0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        default:
            if let a = numeric, let b = other.numeric { return a == b }
            return false
        }
    }

    /// Python iteration: lists, dict keys, string characters; Undefined is empty.
    func iterate() throws(TemplateError) -> [Value] {
        switch self {
        case .undefined: return []
        case .array(let items): return items
        case .dict(let dict): return dict.keys.map { .string($0) }
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        default: throw .runtime(message: "'\(typeName)' object is not iterable", line: nil)
        }
    }
}
