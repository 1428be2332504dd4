import ApusSampling
import Foundation

/// The loop thread's bookkeeping: admitting requests, turning drawn tokens into events,
/// ending choices and requests.
extension Engine {
    /// Creates the request's sequences (one per choice), their samplers and outputs.
    func admit(_ request: GenerationRequest, sink: @escaping @Sendable (GenerationEvent) -> Void, arrival: Double) {
        let index = nextRequest
        nextRequest += 1
        let ids = (0..<request.n).map { nextSequence + $0 }
        nextSequence += request.n
        let room = contextLength - request.prompt.count
        var choices: [ChoiceOutput] = []
        for (choice, id) in ids.enumerated() {
            var parameters = request.sampling
            parameters.seed &+= UInt64(choice)
            // Validated at submit; a failure here would be a bug, so the choice errors out below.
            let sampler = try? Sampler(parameters: parameters, vocabularySize: vocabularySize)
            if let sampler {
                runner.register(id, .init(sampler: sampler, constraint: request.constraint?(), logprobs: request.logprobs))
            }
            owners[id] = (index, choice)
            choices.append(ChoiceOutput(tokenizer: tokenizer, stop: request.stop, room: room))
        }
        let state = RequestState(request: request, sink: sink, choices: choices, sequences: ids, arrival: arrival)
        requests[index] = state
        requestByID[request.id] = index
        totals.promptTokens += request.prompt.count
        let sequences = ids.enumerated().map { choice, id in
            GenerationSequence(id: id, request: index, choice: choice, tokens: request.prompt,
                               promptCount: request.prompt.count, priority: request.priority, arrival: index)
        }
        scheduler.add(sequences[0], forks: Array(sequences.dropFirst()))
    }

    /// Ends every open choice of request `id` with `cancelled`.
    func cancelRequest(_ id: String) {
        guard let index = requestByID[id], let state = requests[index] else { return }
        for choice in state.choices.indices where state.choices[choice].finish == nil {
            _ = state.choices[choice].end(.cancelled)
            finishChoice(state, choice, .cancelled, stopString: nil)
        }
    }

    /// Records the queue time of requests scheduled for the first time.
    func noteScheduled(_ plan: SchedulerOutput) {
        let now = monotonicSeconds()
        for chunk in plan.chunks {
            guard let owner = owners[chunk.sequence], let state = requests[owner.request], !state.scheduled else { continue }
            state.scheduled = true
            state.usage.timings.queue = now - state.arrival
            state.usage.cachedTokens = scheduler.sequences[chunk.sequence]?.cachedPromptTokens ?? 0
        }
    }

    /// Tokens sequence `id` may not draw now (end tokens before `min_tokens`).
    func suppressedTokens(_ id: Int) -> [Int] {
        guard let owner = owners[id], let state = requests[owner.request] else { return [] }
        return state.choices[owner.choice].suppressedTokens
    }

    /// Hands each drawn token to its choice: text delta, and the end of the choice when a
    /// stop condition, the constraint or the context limit says so. A constrained choice
    /// then takes the tokens its constraint forces (jump-forward) in the same delta.
    func emit(_ output: RunnerOutput) {
        let now = monotonicSeconds()
        for sampled in output.sampled {
            let id = sampled.sequence
            guard let owner = owners[id], let state = requests[owner.request],
                  state.choices[owner.choice].finish == nil else { continue }
            var tokens = [sampled.token]
            var (text, finish, stopString) = sampled.constraintDeadEnd
                ? deadEnd(state: state, choice: owner.choice)
                : take(sampled.token, sequence: id, state: state, choice: owner.choice)
            if finish == nil, configuration.jumpForward, sampled.logprob == nil, let constraint = runner.constraint(of: id) {
                for token in constraint.forcedTokens() {
                    scheduler.append(id, tokens: [token])
                    tokens.append(token)
                    let taken = take(token, sequence: id, state: state, choice: owner.choice)
                    text += taken.text
                    (finish, stopString) = (taken.finish, taken.stopString)
                    if finish != nil { break }
                }
            }
            if state.firstToken == nil {
                state.firstToken = now
                state.usage.timings.timeToFirstToken = now - state.arrival
            }
            if owner.choice == 0 {
                if let last = state.lastToken { state.usage.timings.interTokenGaps.append(now - last) }
                state.lastToken = now
            }
            state.sink(.delta(choice: owner.choice, text: text, tokens: tokens,
                              logprobs: sampled.logprob.map { [$0] } ?? []))
            if let finish { finishChoice(state, owner.choice, finish, stopString: stopString) }
        }
    }

    /// Ends a choice whose constraint allowed no token: the request asked for text the
    /// model cannot produce, which is the request's error, not the engine's.
    private func deadEnd(state: RequestState, choice: Int) -> (text: String, finish: FinishReason?, stopString: String?) {
        state.usage.error = "the output constraint allows no token of this model's vocabulary here: "
            + "the text it requires cannot be spelled with the model's tokens"
        state.usage.errorIsInvalidRequest = true
        return (state.choices[choice].end(.error), .error, nil)
    }

    /// One token of sequence `id` (already in its tokens) through its choice's stop
    /// conditions, its constraint and the context limit.
    private func take(_ token: Int, sequence id: Int, state: RequestState,
                      choice: Int) -> (text: String, finish: FinishReason?, stopString: String?) {
        totals.generationTokens += 1
        var (text, finish, stopString) = state.choices[choice].append(token)
        if finish == nil, let constraint = runner.constraint(of: id) {
            if !constraint.accept(token) {
                state.usage.error = "the constraint rejected token \(token)"
                text += state.choices[choice].end(.error)
                finish = .error
            } else if constraint.isTerminated {
                text += state.choices[choice].end(.stop)
                finish = .stop
            }
        }
        if finish == nil, (scheduler.sequences[id]?.tokens.count ?? 0) >= contextLength {
            text += state.choices[choice].end(.length)
            finish = .length
        }
        return (text, finish, stopString)
    }

    /// Ends every choice in `plan` with an error (the forward pass failed).
    func fail(_ plan: SchedulerOutput, _ error: Error) {
        for chunk in plan.chunks {
            for id in chunk.samplers {
                guard let owner = owners[id], let state = requests[owner.request],
                      state.choices[owner.choice].finish == nil else { continue }
                state.usage.error = "\(error)"
                _ = state.choices[owner.choice].end(.error)
                finishChoice(state, owner.choice, .error, stopString: nil)
            }
        }
    }

    /// Ends sequences the scheduler dropped because they outgrew the cache alone.
    func endOutOfRoom(_ ids: [Int]) {
        for id in ids {
            guard let owner = owners[id], let state = requests[owner.request],
                  state.choices[owner.choice].finish == nil else { continue }
            let text = state.choices[owner.choice].end(.length)
            if !text.isEmpty { state.sink(.delta(choice: owner.choice, text: text, tokens: [], logprobs: [])) }
            finishChoice(state, owner.choice, .length, stopString: nil)
        }
    }

    private func finishChoice(_ state: RequestState, _ choice: Int, _ reason: FinishReason, stopString: String?) {
        let id = state.sequences[choice]
        scheduler.finish(id)
        runner.remove(id)
        owners[id] = nil
        state.usage.completionTokens += state.choices[choice].generated
        state.sink(.finished(choice: choice, reason: reason, stopString: stopString))
        state.openChoices -= 1
        guard state.openChoices == 0 else { return }
        state.usage.timings.total = monotonicSeconds() - state.arrival
        if let index = requestByID.removeValue(forKey: state.request.id) { requests[index] = nil }
        // The id and the metrics are current before the caller hears of the end.
        release(id: state.request.id)
        publish()
        state.sink(.completed(state.usage))
    }
}
