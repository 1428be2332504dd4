import ApusEngine
import ApusTokenizer

/// Collects a run's events into whole choices for a non-streaming response.
struct ChoiceAccumulator {
    /// One choice's output so far.
    struct Choice {
        var text = ""
        var logprobs: [TokenLogprob] = []
        var finish: FinishReason?
    }

    /// Choices per prompt.
    private(set) var choices: [[Choice]]
    /// Usage per prompt, set by `.completed`.
    private(set) var usages: [RequestUsage?]

    init(prompts: Int, n: Int) {
        choices = Array(repeating: Array(repeating: Choice(), count: n), count: prompts)
        usages = Array(repeating: nil, count: prompts)
    }

    /// Takes one event of prompt `prompt`.
    mutating func add(_ event: GenerationEvent, prompt: Int) {
        switch event {
        case let .delta(choice, text, _, logprobs) where choices[prompt].indices.contains(choice):
            choices[prompt][choice].text += text
            choices[prompt][choice].logprobs += logprobs
        case let .finished(choice, reason, _) where choices[prompt].indices.contains(choice):
            choices[prompt][choice].finish = reason
        case let .completed(usage):
            usages[prompt] = usage
        default:
            break
        }
    }

    /// Every usage, zero for prompts that never completed.
    var allUsages: [RequestUsage] { usages.map { $0 ?? RequestUsage() } }

    /// The first engine failure message, if any choice ended with `.error`.
    var failure: String? {
        for (p, prompt) in choices.enumerated() where prompt.contains(where: { $0.finish == .error }) {
            return usages[p]?.error ?? "the engine failed while generating"
        }
        return nil
    }
}

/// OpenAI's finish reason for an engine finish reason.
func apiFinishReason(_ reason: FinishReason?) -> String {
    switch reason {
    case .stop: return "stop"
    case .length, .contextFull: return "length"
    case .cancelled, .none: return "abort"
    case .error: return "error"
    }
}
