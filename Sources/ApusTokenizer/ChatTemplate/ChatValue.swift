/// A JSON-like value handed to a chat template: messages, tools, tool calls, extra context.
///
/// Objects keep their keys in insertion order because templates print them (`tojson`,
/// `items`) and the output must match Python, whose dicts keep insertion order.
public enum ChatValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ChatValue])
    case object(ChatObject)
}

/// An ordered string-keyed map: the object case of `ChatValue`.
public struct ChatObject: Sendable, Equatable {
    /// Key/value pairs in insertion order; keys are unique.
    public private(set) var entries: [(key: String, value: ChatValue)]

    /// Creates an object from pairs; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, ChatValue)] = []) {
        entries = []
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`, or nil. Setting nil removes the key.
    public subscript(key: String) -> ChatValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public static func == (lhs: ChatObject, rhs: ChatObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension ChatValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ChatValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ChatValue)...) { self = .object(ChatObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension ChatValue {
    /// The member `key` of an object, nil for anything else.
    public subscript(key: String) -> ChatValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}
