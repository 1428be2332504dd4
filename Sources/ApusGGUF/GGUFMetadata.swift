/// The metadata of a GGUF file: ordered key/value entries with typed accessors.
///
/// Accessors return nil when a key is absent or holds another type; use `require…`
/// variants where a missing key is an error the user must hear about.
public struct GGUFMetadata: Sendable {
    /// Keys in file order.
    public private(set) var keys: [String] = []
    private var values: [String: GGUFValue] = [:]

    /// An empty metadata set.
    public init() {}

    /// Adds an entry; returns false (and changes nothing) if the key exists.
    @discardableResult
    public mutating func insert(_ key: String, _ value: GGUFValue) -> Bool {
        guard values[key] == nil else { return false }
        keys.append(key)
        values[key] = value
        return true
    }

    /// The raw value for `key`.
    public subscript(key: String) -> GGUFValue? { values[key] }

    /// Number of entries.
    public var count: Int { keys.count }

    /// A string value.
    public func string(_ key: String) -> String? {
        if case let .string(s)? = values[key] { return s }
        return nil
    }

    /// An integer value of any integer type.
    public func int(_ key: String) -> Int? { values[key]?.intValue }

    /// A floating-point value (float32, float64, or an integer).
    public func double(_ key: String) -> Double? { values[key]?.doubleValue }

    /// A floating-point value as `Float`.
    public func float(_ key: String) -> Float? { double(key).map(Float.init) }

    /// A boolean value.
    public func bool(_ key: String) -> Bool? {
        if case let .bool(b)? = values[key] { return b }
        return nil
    }

    /// An array value.
    public func array(_ key: String) -> GGUFArray? {
        if case let .array(a)? = values[key] { return a }
        return nil
    }

    /// An array of strings.
    public func strings(_ key: String) -> [String]? {
        if case let .string(a)? = array(key) { return a }
        return nil
    }

    /// An array of integers of any integer type.
    public func ints(_ key: String) -> [Int]? { array(key)?.ints }

    /// An array of floats.
    public func floats(_ key: String) -> [Float]? { array(key)?.floats }

    /// An integer that must be present.
    public func requireInt(_ key: String) throws -> Int {
        guard let value = values[key] else { throw GGUFMetadataError.missingKey(key) }
        guard let int = value.intValue else {
            throw GGUFError.wrongValueType(key: key, expected: "an integer", found: value.type)
        }
        return int
    }

    /// A string that must be present.
    public func requireString(_ key: String) throws -> String {
        guard let value = values[key] else { throw GGUFMetadataError.missingKey(key) }
        guard case let .string(s) = value else {
            throw GGUFError.wrongValueType(key: key, expected: "a string", found: value.type)
        }
        return s
    }
}

/// A metadata entry a model needs is absent.
public enum GGUFMetadataError: Error, CustomStringConvertible, Equatable {
    /// The key is not in the file.
    case missingKey(String)

    public var description: String {
        switch self {
        case let .missingKey(key):
            return "the model file has no metadata '\(key)' (is it a complete, current GGUF conversion?)"
        }
    }
}
