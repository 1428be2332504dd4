import ApusTokenizer
import Foundation
import Hummingbird
import NIOCore

extension APIServer {
    /// Decodes the body as `T` and also reads it as a `ChatValue` with object keys in
    /// document order: schemas and tool definitions need their property order, which
    /// `JSONDecoder` does not keep.
    func decodeKeepingOrder<T: Decodable>(_ type: T.Type, from request: Request) async throws -> (T, ChatValue) {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, message: "the request body is larger than \(configuration.maxBodyBytes) bytes",
                           code: "request_too_large")
        }
        let data = Data(buffer: buffer)
        let decoded = try JSONBody.decode(type, from: data, maxDepth: configuration.maxJSONDepth)
        do {
            return (decoded, try ChatValue(json: String(decoding: data, as: UTF8.self)))
        } catch {
            throw APIError.invalid("the request body is not valid JSON: \(error)", param: nil, code: "invalid_json")
        }
    }
}
