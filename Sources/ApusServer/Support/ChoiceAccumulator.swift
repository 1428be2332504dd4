import ApusEngine
import ApusTokenizer
import HTTPTypes

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

    /// The first failure (a choice that ended with `.error`) as the API error to answer
    /// with: 400 when the request caused it
    /// (an output constraint the model cannot satisfy), else 500.
    var failureError: APIError? {
        for (p, prompt) in choices.enumerated() where prompt.contains(where: { $0.finish == .error }) {
            let usage = usages[p]
            let message = usage?.error ?? "the engine failed while generating"
            return usage?.errorIsInvalidRequest == true
                ? APIError(status: .badRequest, message: message, type: "invalid_request_error", code: "constraint_unsatisfiable")
                : APIError(status: .internalServerError, message: message, type: "server_error", code: "engine_error")
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
