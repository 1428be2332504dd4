import Foundation

/// Turns the bytes of one server-sent-event response, with the time each piece arrived, into
/// a `RequestOutcome`. It does no I/O and reads no clock, so tests feed it bytes and times by
/// hand and check every metric exactly.
///
/// The rules are vLLM's: TTFT is the time to the first chunk carrying generated text; each
/// later content chunk adds one inter-token gap; the latency is the time of the last chunk
/// carrying a choice; token counts come from the `usage` chunk (`stream_options.include_usage`).
public struct StreamRecorder: Sendable {
    private let sentAt: Double
    private var pending: [UInt8] = []
    private var firstContent: Double?
    private var lastContent: Double = 0
    private var lastChoice: Double?
    private var gaps: [Double] = []
    private var contentChunks = 0
    private var text = ""
    private var usagePrompt: Int?
    private var usageCompletion: Int?
    private var failure: String?
    private let decoder = JSONDecoder()

    /// A recorder for a request sent at `sentAt` (seconds on the caller's monotonic clock).
    public init(sentAt: Double) { self.sentAt = sentAt }

    /// True once the server sent an error event; later bytes are ignored.
    public var hasFailed: Bool { failure != nil }

    /// Feeds bytes that arrived at `time`. Events may be split across calls anywhere.
    public mutating func receive<Bytes: Sequence>(_ bytes: Bytes, at time: Double) where Bytes.Element == UInt8 {
        guard failure == nil else { return }
        pending.append(contentsOf: bytes)
        var lineStart = 0
        while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[lineStart..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            handle(line: line, at: time)
            lineStart = newline + 1
            if failure != nil { break }
        }
        pending.removeFirst(lineStart)
    }

    /// The outcome once the stream has ended.
    /// - Parameters:
    ///   - request: the request sent (its prompt tokens stand in if the server reports none).
    ///   - startTime: when it was sent, in seconds after the benchmark started.
    ///   - countTokens: counts generated tokens when the server sends no usage chunk; nil
    ///     counts content chunks instead.
    public func outcome(for request: BenchmarkRequest, startTime: Double,
                        countTokens: ((String) -> Int)? = nil) -> RequestOutcome {
        var result = RequestOutcome(promptTokens: usagePrompt ?? request.promptTokens, startTime: startTime, generatedText: text)
        if let failure {
            result.error = failure
            return result
        }
        guard let firstContent else {
            result.error = "the stream ended without a chunk of generated text (is the endpoint right, and does the server stream?)"
            return result
        }
        result.success = true
        result.timeToFirstToken = firstContent - sentAt
        result.interTokenLatencies = gaps
        result.latency = (lastChoice ?? lastContent) - sentAt
        result.outputTokens = usageCompletion ?? countTokens?(text) ?? contentChunks
        return result
    }

    private mutating func handle(line: ArraySlice<UInt8>, at time: Double) {
        let dataPrefix = Array("data:".utf8), errorPrefix = Array("error:".utf8)
        if line.starts(with: errorPrefix) {
            // llama.cpp's server reports a failure inside a stream as an `error:` event.
            failure = "error event: " + String(decoding: line.dropFirst(errorPrefix.count), as: UTF8.self)
            return
        }
        guard line.starts(with: dataPrefix) else { return }  // comments, `event:`, `id:`, blank lines
        var payload = line.dropFirst(dataPrefix.count)
        if payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
        if payload.elementsEqual("[DONE]".utf8) { return }
        guard let chunk = try? decoder.decode(StreamChunk.self, from: Data(payload)) else {
            failure = "a stream event is not JSON: " + String(decoding: payload.prefix(200), as: UTF8.self)
            return
        }
        if let error = chunk.error {
            failure = "error event: \(error.message)"
            return
        }
        if let choices = chunk.choices, !choices.isEmpty {
            let content = chunk.content
            if !content.isEmpty {
                if firstContent == nil {
                    firstContent = time
                } else {
                    gaps.append(time - lastContent)
                }
                lastContent = time
                contentChunks += 1
                text += content
            }
            if firstContent != nil { lastChoice = time }
        }
        if let usage = chunk.usage {
            usagePrompt = usage.promptTokens ?? usagePrompt
            usageCompletion = usage.completionTokens ?? usageCompletion
        }
    }
}
