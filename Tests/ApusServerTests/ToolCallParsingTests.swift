@testable import ApusServer
import ApusTokenizer
import Testing

/// The Hermes tool-call parser and its streaming splitter, without a model.
struct ToolCallParsingTests {
    let format = ToolCallFormat.hermes

    @Test func parsesCallsAndKeepsTheRestAsText() {
        let output = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"n\": 2}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": \"{\\\"city\\\": \\\"Oslo\\\"}\"}\n</tool_call>"
        let (content, calls) = format.parse(output)
        #expect(content == "Let me check.")
        #expect(calls == [ParsedToolCall(name: "get_weather", arguments: "{\"city\":\"Paris\",\"n\":2}"),
                          ParsedToolCall(name: "get_time", arguments: "{\"city\":\"Oslo\"}")])
    }

    @Test func aBlockThatIsNotACallStaysText() {
        for output in ["<tool_call>not json</tool_call>", "<tool_call>{\"arguments\": {}}</tool_call>", "<tool_call>{\"name\": \"f\""] {
            let (content, calls) = format.parse(output)
            #expect(calls.isEmpty)
            #expect(content == output)
        }
    }

    @Test func streamHoldsBackOnlyWhatMayBeATag() {
        let output = "Hi <b> there <tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>\n<tool_call>{\"name\": \"g\"}</tool_call> <tool"
        // Every split of the output into two deltas gives the same pieces.
        for cut in 0...output.count {
            var stream = ToolCallStream(format: format)
            let index = output.index(output.startIndex, offsetBy: cut)
            var pieces = stream.feed(String(output[..<index])) + stream.feed(String(output[index...]))
            pieces.append(.text(stream.finish()))
            var merged: [ToolCallStream.Piece] = []
            for piece in pieces {
                if case .text(let next) = piece, case .text(let previous)? = merged.last {
                    merged[merged.count - 1] = .text(previous + next)
                } else if piece != .text("") {
                    merged.append(piece)
                }
            }
            #expect(merged == [.text("Hi <b> there "), .call(ParsedToolCall(name: "f", arguments: "{}")), .text("\n"),
                               .call(ParsedToolCall(name: "g", arguments: "{}")), .text(" <tool")], "cut at \(cut)")
            #expect(stream.callCount == 2)
        }
    }

    @Test func jsonTextKeepsKeyOrderAndEscapes() throws {
        let value = try ChatValue(json: #"{"z": 1, "a": [true, null, 2.5], "s": "q\"\n\u0001é"}"#)
        #expect(value.jsonText == #"{"z":1,"a":[true,null,2.5],"s":"q\"\n\u0001é"}"#)
    }
}
