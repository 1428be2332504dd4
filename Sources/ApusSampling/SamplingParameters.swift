/// How to turn logits into the next token: the OpenAI / llama.cpp parameter set.
///
/// Stages run in llama.cpp's default order: repetition, presence and frequency penalties
/// over the recent history → top-k → top-p → min-p → temperature → draw. A temperature
/// of 0 means greedy (argmax, lowest id on ties).
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// Softmax temperature; 0 selects greedy decoding.
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens (0 = off).
    public var topK: Int = 40
    /// Keep the smallest set of tokens whose probabilities sum to at least p (1 = off).
    public var topP: Float = 0.95
    /// Drop tokens whose probability is below `minP` × the top probability (0 = off).
    public var minP: Float = 0.05
    /// Divide positive logits (multiply negative ones) of recent tokens by this (1 = off).
    public var repetitionPenalty: Float = 1
    /// Subtract this from the logit of every token present in the recent history (0 = off).
    public var presencePenalty: Float = 0
    /// Subtract this × count from the logit of every recent token (0 = off).
    public var frequencyPenalty: Float = 0
    /// How many recent tokens the penalties look at (llama.cpp's `penalty_last_n`).
    public var penaltyWindow: Int = 64
    /// Seed of the draw; the same seed and input give the same output.
    public var seed: UInt64 = 0
    /// Added to the logits of these token ids before anything else (OpenAI's `logit_bias`,
    /// −100…100; −100 in effect bans a token).
    public var logitBias: [Int: Float] = [:]

    /// Default parameters (llama.cpp's defaults).
    public init() {}

    /// Greedy decoding.
    public static var greedy: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = 0
        return p
    }

    /// Checks every value is in range; the error names the parameter.
    public func validate() throws(SamplingError) {
        guard temperature.isFinite, temperature >= 0 else { throw .outOfRange("temperature", "\(temperature)", ">= 0") }
        guard topK >= 0 else { throw .outOfRange("top_k", "\(topK)", ">= 0") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw .outOfRange("top_p", "\(topP)", "in (0, 1]") }
        guard minP.isFinite, minP >= 0, minP <= 1 else { throw .outOfRange("min_p", "\(minP)", "in [0, 1]") }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw .outOfRange("repetition_penalty", "\(repetitionPenalty)", "> 0")
        }
        guard presencePenalty.isFinite, abs(presencePenalty) <= 2 else {
            throw .outOfRange("presence_penalty", "\(presencePenalty)", "in [-2, 2]")
        }
        guard frequencyPenalty.isFinite, abs(frequencyPenalty) <= 2 else {
            throw .outOfRange("frequency_penalty", "\(frequencyPenalty)", "in [-2, 2]")
        }
        for (token, bias) in logitBias {
            guard bias.isFinite, abs(bias) <= 100 else { throw .outOfRange("logit_bias[\(token)]", "\(bias)", "in [-100, 100]") }
        }
        guard penaltyWindow >= 0 else { throw .outOfRange("penalty window", "\(penaltyWindow)", ">= 0") }
    }
}

/// A sampling parameter out of its range.
public enum SamplingError: Error, CustomStringConvertible, Equatable {
    /// Parameter name, the given value, and the allowed range.
    case outOfRange(String, String, String)

    public var description: String {
        switch self {
        case let .outOfRange(name, value, range): return "\(name) = \(value) is invalid: it must be \(range)"
        }
    }
}
