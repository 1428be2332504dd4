import ApusSampling
import ArgumentParser

/// Sampling flags shared by `run` and `chat` (llama.cpp's names and defaults).
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("temp"), help: "Temperature; 0 is greedy.")
    var temperature: Float = 0.8
    @Option(help: "Top-k (0 = off).")
    var topK: Int = 40
    @Option(help: "Top-p (1 = off).")
    var topP: Float = 0.95
    @Option(help: "Min-p (0 = off).")
    var minP: Float = 0.05
    @Option(help: "Repetition penalty (1 = off).")
    var repeatPenalty: Float = 1
    @Option(help: "Presence penalty (0 = off).")
    var presencePenalty: Float = 0
    @Option(help: "Frequency penalty (0 = off).")
    var frequencyPenalty: Float = 0
    @Option(help: "Tokens the penalties look back over.")
    var repeatLastN: Int = 64
    @Option(help: "Random seed (default: random, printed to stderr).")
    var seed: UInt64?

    /// The parameters, with a fresh random seed when none was given.
    func parameters() throws -> SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repetitionPenalty = repeatPenalty
        p.presencePenalty = presencePenalty
        p.frequencyPenalty = frequencyPenalty
        p.penaltyWindow = repeatLastN
        p.seed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        try p.validate()
        return p
    }
}
