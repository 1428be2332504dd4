import Dispatch

/// The engine's record of one live request: where its events go, its choices' outputs,
/// and the moments its timings are made of. Lives on the engine's thread only.
final class RequestState {
    let request: GenerationRequest
    let sink: @Sendable (GenerationEvent) -> Void
    var choices: [ChoiceOutput]
    /// Sequence id of each choice.
    let sequences: [Int]
    var openChoices: Int
    var usage = RequestUsage()
    let arrival: Double
    var scheduled = false
    var firstToken: Double?
    var lastToken: Double?

    init(request: GenerationRequest, sink: @escaping @Sendable (GenerationEvent) -> Void, choices: [ChoiceOutput],
         sequences: [Int], arrival: Double) {
        self.request = request
        self.sink = sink
        self.choices = choices
        self.sequences = sequences
        openChoices = choices.count
        self.arrival = arrival
        usage.promptTokens = request.prompt.count
    }
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
