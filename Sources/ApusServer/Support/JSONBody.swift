import Foundation
import Hummingbird
import NIOCore

/// Reads a request body as JSON of type `T`, turning every way it can be wrong into a 4xx
/// `APIError`: too large (413), not UTF-8, nested too deep, malformed, or a field of the
/// wrong type (400 naming the field, e.g. `messages[0].content`).
enum JSONBody {
    /// Collects at most `maxBytes` of `request`'s body and decodes it.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int, maxDepth: Int) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, message: "the request body is larger than \(maxBytes) bytes",
                           code: "request_too_large")
        }
        return try decode(type, from: Data(buffer: buffer), maxDepth: maxDepth)
    }

    /// Decodes `data` after checking its encoding and nesting depth.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, maxDepth: Int) throws -> T {
        guard !data.isEmpty else { throw APIError.invalid("the request body is empty; send a JSON object", param: nil, code: "invalid_json") }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw APIError.invalid("the request body is not valid UTF-8", param: nil, code: "invalid_encoding")
        }
        let depth = nestingDepth(data)
        guard depth <= maxDepth else {
            throw APIError.invalid("the request body nests JSON \(depth) levels deep; at most \(maxDepth) are accepted",
                                   param: nil, code: "invalid_json")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            throw apiError(error)
        } catch {
            throw APIError.invalid("the request body is not valid JSON: \(error)", param: nil, code: "invalid_json")
        }
    }

    /// The deepest nesting of arrays and objects, counted outside strings. Runs before the
    /// decoder so a body of 10,000 `[` cannot exhaust the stack.
    static func nestingDepth(_ data: Data) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// OpenAI's error for a decoding failure, naming the field by its path.
    static func apiError(_ error: DecodingError) -> APIError {
        switch error {
        case let .typeMismatch(type, context):
            let param = path(context.codingPath)
            return .invalid("\(param ?? "the body") must be \(typeName(type)): \(context.debugDescription)",
                            param: param, code: "invalid_type")
        case let .valueNotFound(type, context):
            let param = path(context.codingPath)
            return .invalid("\(param ?? "the body") must be \(typeName(type)), not null", param: param, code: "invalid_type")
        case let .keyNotFound(key, context):
            let param = path(context.codingPath + [key])
            return .invalid("missing required parameter '\(param ?? key.stringValue)'", param: param, code: "missing_required_parameter")
        case let .dataCorrupted(context):
            let param = path(context.codingPath)
            if let param {
                return .invalid("invalid value for '\(param)': \(context.debugDescription)", param: param)
            }
            return .invalid("the request body is not valid JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)",
                            param: nil, code: "invalid_json")
        @unknown default:
            return .invalid("the request body could not be decoded: \(error)", param: nil, code: "invalid_json")
        }
    }

    /// `messages[0].content` from a coding path; nil for the top level.
    static func path(_ codingPath: [any CodingKey]) -> String? {
        var result = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result.isEmpty ? nil : result
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
            return "of type \(name)"
        }
    }
}
