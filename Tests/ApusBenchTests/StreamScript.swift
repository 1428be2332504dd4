import Foundation

/// What the scripted server answers to one request: an HTTP error, or a stream of SSE events
/// each sent after a delay (milliseconds after the previous event).
struct StreamScript: Sendable {
    /// One event: the delay before it and its full line(s) without the trailing blank line.
    struct Event: Sendable {
        let delayMilliseconds: Int
        let line: String
    }

    var status: Int = 200
    var errorBody = ""
    var events: [Event] = []

    /// An HTTP error answer.
    static func failure(status: Int, body: String) -> StreamScript {
        StreamScript(status: status, errorBody: body)
    }

    /// A stream in the format of `path` (completions or chat): an optional chat role chunk at
    /// once, then each content piece after its delay, a finish chunk after `finishDelay`, the
    /// usage chunk (if `usage` is given) and `[DONE]`.
    static func stream(chat: Bool, pieces: [(delay: Int, text: String)], finishDelay: Int,
                       usage: (prompt: Int, completion: Int)?) -> StreamScript {
        var events: [Event] = []
        if chat { events.append(Event(delayMilliseconds: 0, line: #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}"#)) }
        for piece in pieces {
            events.append(Event(delayMilliseconds: piece.delay, line: "data: " + chunk(chat: chat, text: piece.text, finish: nil)))
        }
        events.append(Event(delayMilliseconds: finishDelay, line: "data: " + chunk(chat: chat, text: "", finish: "length")))
        if let usage {
            events.append(Event(delayMilliseconds: 0, line: #"data: {"choices":[],"usage":{"prompt_tokens":\#(usage.prompt),"completion_tokens":\#(usage.completion),"total_tokens":\#(usage.prompt + usage.completion)}}"#))
        }
        events.append(Event(delayMilliseconds: 0, line: "data: [DONE]"))
        return StreamScript(events: events)
    }

    private static func chunk(chat: Bool, text: String, finish: String?) -> String {
        let encoded = String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        let finishJSON = finish.map { "\"\($0)\"" } ?? "null"
        return chat
            ? #"{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\#(encoded)},"finish_reason":\#(finishJSON)}]}"#
            : #"{"object":"text_completion","choices":[{"index":0,"text":\#(encoded),"finish_reason":\#(finishJSON)}]}"#
    }
}
