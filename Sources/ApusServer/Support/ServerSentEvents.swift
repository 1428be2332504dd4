import Foundation
import NIOCore

/// Server-sent events as OpenAI streams them: `data: <json>\n\n`, ending with `data: [DONE]`.
enum ServerSentEvents {
    /// One `data:` event holding `value` as JSON.
    static func event(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes((try? JSONEncoder().encode(value)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }

    /// An error in the middle of a stream (the status line has already gone out).
    static func error(_ error: APIError) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(error.jsonBytes())
        buffer.writeString("\n\n")
        return buffer
    }

    /// The terminating event.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
