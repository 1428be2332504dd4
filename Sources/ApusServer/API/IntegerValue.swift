/// A JSON integer decoded so that a wrong number names its field: `1.5` or `1e30` for an
/// integer parameter fails as a type mismatch at that field's coding path, where Foundation's
/// decoder reports only "not valid JSON" for the whole body.
struct IntegerValue: Decodable, Sendable {
    /// The integer.
    let value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self.value = value
            return
        }
        let description: String
        if let number = try? container.decode(Double.self) {
            description = "expected an integer, got \(number)"
        } else if container.decodeNil() {
            throw DecodingError.valueNotFound(Int.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an integer, got null"))
        } else {
            description = "expected an integer"
        }
        throw DecodingError.typeMismatch(Int.self, .init(codingPath: decoder.codingPath, debugDescription: description))
    }
}

extension KeyedDecodingContainer {
    /// An optional integer field, decoded by `IntegerValue`.
    func decodeInteger(forKey key: Key) throws -> Int? {
        try decodeIfPresent(IntegerValue.self, forKey: key)?.value
    }

    /// An optional array of integers, each decoded by `IntegerValue`.
    func decodeIntegers(forKey key: Key) throws -> [Int]? {
        try decodeIfPresent([IntegerValue].self, forKey: key)?.map(\.value)
    }
}
