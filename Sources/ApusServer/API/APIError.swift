import Foundation
import HTTPTypes
import Hummingbird

/// An error returned to the client as OpenAI's error object:
/// `{"error": {"message", "type", "param", "code"}}` with an HTTP status.
public struct APIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// HTTP status of the response.
    public var status: HTTPResponse.Status
    /// What was wrong and what to do.
    public var message: String
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `rate_limit_error`, ...
    public var type: String
    /// The offending parameter (`messages[0].content`), when one is to blame.
    public var param: String?
    /// A machine-readable code (`invalid_type`, `context_length_exceeded`, ...).
    public var code: String?
    /// Seconds the client should wait before retrying (sets `Retry-After`).
    public var retryAfter: Int?

    /// An error with every field given.
    public init(status: HTTPResponse.Status, message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(type): \(message)" + (param.map { " (param \($0))" } ?? "") }

    /// A 400 naming `param`.
    public static func invalid(_ message: String, param: String?, code: String? = "invalid_value") -> APIError {
        APIError(status: .badRequest, message: message, param: param, code: code)
    }
}

extension APIError: HTTPResponseError {
    /// `{"error": {...}}` with the status, and `Retry-After` when set.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBytes())))
    }

    /// The error object as JSON.
    func jsonBytes() -> [UInt8] {
        let body = ErrorBody(error: .init(message: message, type: type, param: param, code: code))
        return (try? Array(JSONEncoder().encode(body))) ?? Array(#"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#.utf8)
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var message: String, type: String, param: String?, code: String?
            private enum CodingKeys: String, CodingKey { case message, type, param, code }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encodeNullable(param, forKey: .param)
                try container.encodeNullable(code, forKey: .code)
            }
        }
        var error: Detail
    }
}
