import Testing
@testable import ApusBench

/// The recorder turns timed bytes into vLLM's per-request figures; times here are exact, so
/// every figure is checked against the hand-computed value.
@Suite struct StreamRecorderTests {
    let request = BenchmarkRequest(prompt: "p", promptTokens: 9, outputTokens: 4)

    @Test func chatStreamGivesTTFTToFirstContentAndEveryGap() {
        var recorder = StreamRecorder(sentAt: 10.0)
        // Role chunk without content: not the first token.
        recorder.receive(Array(#"data: {"choices":[{"delta":{"role":"assistant","content":null}}]}"#.utf8) + [10, 10], at: 10.05)
        recorder.receive(Array(#"data: {"choices":[{"delta":{"content":"A"}}]}"#.utf8) + [10, 10], at: 10.2)
        recorder.receive(Array(#"data: {"choices":[{"delta":{"content":" B"}}]}"#.utf8) + [10, 10], at: 10.25)
        // One event split across two reads: it counts when its line is complete.
        recorder.receive(Array(#"data: {"choices":[{"delta""#.utf8), at: 10.3)
        recorder.receive(Array(#":{"content":" C"}}]}"#.utf8) + [13, 10, 13, 10], at: 10.31)
        recorder.receive(Array(#"data: {"choices":[{"delta":{"content":" D"}}]}"#.utf8) + [10, 10], at: 10.35)
        recorder.receive(Array(#"data: {"choices":[{"delta":{},"finish_reason":"length"}]}"#.utf8) + [10, 10], at: 10.4)
        recorder.receive(Array(#"data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4}}"#.utf8) + [10, 10], at: 10.45)
        recorder.receive(Array("data: [DONE]\n\n".utf8), at: 10.46)
        let outcome = recorder.outcome(for: request, startTime: 3)
        #expect(outcome.success)
        #expect(outcome.error == nil)
        #expect(abs(outcome.timeToFirstToken - 0.2) < 1e-9)
        #expect(outcome.interTokenLatencies.count == 3)
        for (gap, expected) in zip(outcome.interTokenLatencies, [0.05, 0.06, 0.04]) { #expect(abs(gap - expected) < 1e-9) }
        // Latency runs to the last chunk with a choice (the finish chunk), not to the usage chunk.
        #expect(abs(outcome.latency - 0.4) < 1e-9)
        #expect(outcome.outputTokens == 4)
        #expect(outcome.promptTokens == 12)
        #expect(abs(outcome.timePerOutputToken! - (0.4 - 0.2) / 3) < 1e-12)
        #expect(outcome.generatedText == "A B C D")
        #expect(outcome.startTime == 3)
    }

    @Test func completionsWithoutUsageCountChunksAndKeepDatasetPromptLength() {
        var recorder = StreamRecorder(sentAt: 0)
        recorder.receive(Array("data:{\"choices\":[{\"text\":\"x\"}]}\n\ndata: {\"choices\":[{\"text\":\"y\"}]}\n\n".utf8), at: 1)
        recorder.receive(Array(": keep-alive comment\n\ndata: {\"choices\":[{\"text\":\"z\"}]}\n\n".utf8), at: 1.5)
        let outcome = recorder.outcome(for: request, startTime: 0)
        #expect(outcome.success)
        #expect(outcome.outputTokens == 3)
        #expect(outcome.promptTokens == 9)
        // Two events in one read share its arrival time: a zero gap, as vLLM records it.
        #expect(outcome.interTokenLatencies == [0, 0.5])
        let counted = recorder.outcome(for: request, startTime: 0, countTokens: { $0.count * 2 })
        #expect(counted.outputTokens == 6)
    }

    @Test func errorEventsAndEmptyStreamsFail() {
        var failing = StreamRecorder(sentAt: 0)
        failing.receive(Array("data: {\"choices\":[{\"text\":\"x\"}]}\n\n".utf8), at: 1)
        failing.receive(Array("data: {\"error\":{\"message\":\"context full\",\"code\":500}}\n\n".utf8), at: 2)
        #expect(failing.hasFailed)
        let failed = failing.outcome(for: request, startTime: 0)
        #expect(!failed.success)
        #expect(failed.error == "error event: context full")

        var llamaStyle = StreamRecorder(sentAt: 0)
        llamaStyle.receive(Array("error: {\"code\":400}\n\n".utf8), at: 1)
        #expect(llamaStyle.outcome(for: request, startTime: 0).error?.hasPrefix("error event:") == true)

        var empty = StreamRecorder(sentAt: 0)
        empty.receive(Array("data: {\"choices\":[],\"usage\":{\"completion_tokens\":0}}\n\ndata: [DONE]\n\n".utf8), at: 1)
        let nothing = empty.outcome(for: request, startTime: 0)
        #expect(!nothing.success)
        #expect(nothing.error?.contains("without a chunk of generated text") == true)

        var garbage = StreamRecorder(sentAt: 0)
        garbage.receive(Array("data: {not json\n\n".utf8), at: 1)
        #expect(garbage.outcome(for: request, startTime: 0).error?.contains("not JSON") == true)
    }
}
