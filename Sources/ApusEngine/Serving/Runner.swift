import ApusModels
import ApusSampling
import Foundation

/// Carries out the scheduler's plan: copies blocks, runs one forward pass over every
/// scheduled sequence's tokens, and draws each sampling sequence's next token. It never
/// decides who runs.
final class Runner {
    /// How one sequence draws its tokens.
    struct SequenceSampling {
        let sampler: Sampler
        let constraint: (any TokenConstraint)?
        /// Top alternatives to report, or nil for no logprobs.
        let logprobs: Int?
    }

    let model: TransformerModel
    let cache: PagedKVCache
    private var sampling: [Int: SequenceSampling] = [:]
    private let endTokens: [Int]
    /// Seconds spent in forward passes and in sampling, cumulative.
    private(set) var forwardSeconds = 0.0
    private(set) var samplingSeconds = 0.0

    init(model: TransformerModel, cache: PagedKVCache, endTokens: [Int]) {
        self.model = model
        self.cache = cache
        self.endTokens = endTokens
    }

    /// Registers how sequence `id` samples.
    func register(_ id: Int, _ parameters: SequenceSampling) { sampling[id] = parameters }

    /// Forgets sequence `id` (finished).
    func remove(_ id: Int) {
        sampling[id] = nil
        cache.removeBlockTable(sequence: id)
    }

    /// The constraint of sequence `id`, if any.
    func constraint(of id: Int) -> (any TokenConstraint)? { sampling[id]?.constraint }

    /// Runs `plan`. `suppressed(id)` names tokens sequence `id` may not draw now.
    func execute(_ plan: SchedulerOutput, sequences: [Int: GenerationSequence],
                 suppressed: (Int) -> [Int]) throws -> RunnerOutput {
        for copy in plan.copies { cache.copyBlock(copy.source, to: copy.destination) }
        var batch = ForwardBatch()
        for chunk in plan.chunks {
            let sequence = sequences[chunk.sequence]!
            cache.setBlockTable(sequence.blockTable.blocks, sequence: chunk.sequence)
            let all = sequence.tokens + sequence.draftTokens
            for position in chunk.start..<(chunk.start + chunk.count) {
                batch.append(token: all[position], position: position, sequence: chunk.sequence,
                             logits: chunk.logitsFrom.map { position >= $0 } ?? false)
            }
        }
        let start = Date()
        let logits = try model.forward(batch, cache: cache)
        let forwardEnd = Date()
        forwardSeconds += forwardEnd.timeIntervalSince(start)

        // Each sampling chunk's last row (the first proposal of speculative decoding will use
        // the earlier rows too).
        var jobs: [(sequence: Int, row: Int)] = []
        var row = 0
        for chunk in plan.chunks {
            guard let from = chunk.logitsFrom else { continue }
            row += chunk.start + chunk.count - from
            for id in chunk.samplers { jobs.append((id, row - 1)) }
        }
        var drawn = [SampledToken?](repeating: nil, count: jobs.count)
        let histories = jobs.map { sequences[$0.sequence]?.tokens ?? [] }
        let suppressions = jobs.map { suppressed($0.sequence) }
        drawn.withUnsafeMutableBufferPointer { results in
            // Samplers and constraints are per sequence, so rows can be drawn in parallel.
            model.pool.run(tasks: min(jobs.count, model.pool.threadCount)) { task in
                for j in stride(from: task, to: jobs.count, by: model.pool.threadCount) {
                    results[j] = draw(jobs[j].sequence, logits.row(jobs[j].row), history: histories[j],
                                      suppress: suppressions[j])
                }
            }
        }
        samplingSeconds += Date().timeIntervalSince(forwardEnd)
        return RunnerOutput(sampled: drawn.compactMap { $0 })
    }

    /// Draws sequence `id`'s next token from `logits`.
    private func draw(_ id: Int, _ logits: UnsafeBufferPointer<Float>, history: [Int], suppress: [Int]) -> SampledToken? {
        guard let parameters = sampling[id] else { return nil }
        var mask: TokenMask?
        var deadEnd = false
        if let constraint = parameters.constraint {
            var allowed = TokenMask(vocabularySize: logits.count, allowed: true)
            constraint.restrict(&allowed)
            for token in endTokens where token < logits.count {
                if constraint.isComplete { allowed.insert(token) } else { allowed.remove(token) }
            }
            mask = allowed
            deadEnd = allowed.count == 0
        }
        let token = parameters.sampler.sample(logits, history: history[...], mask: mask, suppress: suppress)
        let logprob = parameters.logprobs.map { top -> TokenLogprob in
            let result = LogProbabilities.of(token, in: logits, top: top)
            return TokenLogprob(token: token, logprob: result.logprob, top: result.top)
        }
        return SampledToken(sequence: id, token: token, logprob: logprob, constraintDeadEnd: deadEnd)
    }
}
