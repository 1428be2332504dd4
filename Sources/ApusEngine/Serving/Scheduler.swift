/// Decides, step by step, which sequences compute which tokens: a value type with no I/O and
/// no math, so tests drive it with made-up runner outputs.
///
/// Each step fills a token budget: running sequences that decode come first (one token
/// each, plus drafts), then running sequences with prompt left (chunked prefill, SARATHI
/// style: a long prompt takes the budget that is left, so running streams wait at most one
/// chunk), then admissions from the waiting queue in priority order (FCFS among equals).
/// When blocks run out, the lowest-priority, latest-arriving running sequence is preempted:
/// its blocks are freed and it is recomputed later from its tokens.
public struct Scheduler: Sendable {
    /// Limits of one step.
    public struct Limits: Sendable {
        /// Tokens computed per step at most.
        public var maxBatchTokens: Int
        /// Running sequences at most.
        public var maxSequences: Int
        /// Whether prompts reuse cached blocks.
        public var prefixCaching: Bool
        /// Prompt tokens (chunks, recomputation, forced tokens) a step computes at most when it
        /// also decodes running streams; nil for the whole budget. A step's time grows with its
        /// tokens, and every running stream waits for the whole step, so this bounds what a
        /// long prompt adds to their inter-token latency; steps without decodes (an idle engine
        /// filling its first prompts) still use the whole budget.
        public var maxPromptTokensBesideDecodes: Int?

        /// The limits.
        public init(maxBatchTokens: Int, maxSequences: Int, prefixCaching: Bool = true,
                    maxPromptTokensBesideDecodes: Int? = nil) {
            self.maxBatchTokens = maxBatchTokens
            self.maxSequences = maxSequences
            self.prefixCaching = prefixCaching
            self.maxPromptTokensBesideDecodes = maxPromptTokensBesideDecodes
        }
    }

    /// Cumulative counters.
    public struct Counters: Sendable, Equatable {
        /// Prompt tokens looked up in the prefix cache at admission.
        public var prefixQueriedTokens = 0
        /// Of those, tokens found cached.
        public var prefixHitTokens = 0
        /// Preemptions so far.
        public var preemptions = 0
    }

    /// The step limits in force.
    public let limits: Limits
    /// The block pool.
    public private(set) var blocks: BlockManager
    /// Every live sequence by id (waiting, running, or waiting to be forked).
    public private(set) var sequences: [Int: GenerationSequence] = [:]
    /// Waiting sequences, in priority order.
    public private(set) var waiting: [Int] = []
    /// Running sequences, in priority order.
    public private(set) var running: [Int] = []
    /// Cumulative counters.
    public private(set) var counters = Counters()

    /// A scheduler over `blocks`.
    public init(limits: Limits, blocks: BlockManager) {
        precondition(limits.maxBatchTokens > 0 && limits.maxSequences > 0, "limits must be positive")
        self.limits = limits
        self.blocks = blocks
    }

    /// Whether any sequence is waiting or running.
    public var hasWork: Bool { !waiting.isEmpty || !running.isEmpty }

    // MARK: Adding and removing

    /// Queues `sequence`; `forks` are further choices of the same request, started from it
    /// (sharing its prompt blocks) once its prompt is computed.
    public mutating func add(_ sequence: GenerationSequence, forks: [GenerationSequence] = []) {
        var first = sequence
        first.pendingForks = forks.map(\.id)
        for var fork in forks {
            fork.status = .waiting
            sequences[fork.id] = fork
        }
        sequences[first.id] = first
        insert(first.id, into: &waiting)
    }

    /// Ends `id` (finished or cancelled) and frees its blocks; forks it was still to start
    /// end with it. Unknown ids are ignored.
    public mutating func finish(_ id: Int) {
        guard var sequence = sequences.removeValue(forKey: id) else { return }
        blocks.free(&sequence.blockTable)
        running.removeAll { $0 == id }
        waiting.removeAll { $0 == id }
        for fork in sequence.pendingForks { sequences[fork] = nil }
    }

    /// Proposes draft tokens for `id` to be verified in the next step (all rows get logits).
    public mutating func setDraftTokens(_ id: Int, _ drafts: [Int]) {
        sequences[id]?.draftTokens = drafts
    }

    /// Appends tokens decided without sampling (jump-forward: the only text a constraint
    /// allows next). They are computed in the next step like a prompt chunk, with logits for
    /// the last of them only.
    public mutating func append(_ id: Int, tokens: [Int]) {
        sequences[id]?.tokens += tokens
    }

    /// Rolls `id` back to its first `count` tokens (rejected speculative tokens), freeing
    /// the blocks past them.
    public mutating func truncate(_ id: Int, toTokens count: Int) {
        guard var sequence = sequences[id], count >= sequence.promptCount, count <= sequence.tokens.count else { return }
        sequence.tokens.removeSubrange(count...)
        sequence.draftTokens = []
        sequence.computedCount = min(sequence.computedCount, count)
        blocks.truncate(&sequence.blockTable, tokens: sequence.computedCount)
        sequences[id] = sequence
    }

    // MARK: Scheduling

    /// Plans the next step.
    public mutating func schedule() -> SchedulerOutput {
        var plan = SchedulerOutput()
        var budget = limits.maxBatchTokens
        var scheduled = Set<Int>()
        let decoding = running.filter { sequences[$0]!.computedCount >= sequences[$0]!.tokens.count - 1 }
        let prefilling = running.filter { sequences[$0]!.computedCount < sequences[$0]!.tokens.count - 1 }
        for id in decoding where budget > 0 && sequences[id]?.status == .running {
            scheduleRunning(id, budget: &budget, scheduled: &scheduled, plan: &plan)
        }
        if !plan.chunks.isEmpty, let cap = limits.maxPromptTokensBesideDecodes { budget = min(budget, cap) }
        for id in prefilling where budget > 0 && sequences[id]?.status == .running {
            scheduleRunning(id, budget: &budget, scheduled: &scheduled, plan: &plan)
        }
        if plan.preempted.isEmpty {
            while budget > 0, let id = waiting.first, admit(id, budget: &budget, plan: &plan) {}
        }
        return plan
    }

    private mutating func scheduleRunning(_ id: Int, budget: inout Int, scheduled: inout Set<Int>,
                                          plan: inout SchedulerOutput) {
        var sequence = sequences[id]!
        let count = min(sequence.uncomputedCount, budget)
        guard count > 0 else { return }
        while true {
            if let copies = blocks.allocate(&sequence.blockTable, computed: sequence.computedCount,
                                            tokens: sequence.computedCount + count) {
                plan.copies += copies
                break
            }
            // The lowest-priority, latest-arriving sequence not yet given work this step.
            let victim = running.last { !scheduled.contains($0) } ?? id
            if victim != id {
                preempt(victim, plan: &plan)
            } else if running.count > 1 {
                preempt(id, plan: &plan)
                return
            } else {
                finish(id)
                plan.outOfRoom.append(id)
                return
            }
        }
        sequences[id] = sequence
        scheduled.insert(id)
        budget -= count
        plan.chunks.append(chunk(for: id, count: count))
    }

    /// Admits waiting sequence `id` if the caps and the blocks allow; returns whether it did.
    private mutating func admit(_ id: Int, budget: inout Int, plan: inout SchedulerOutput) -> Bool {
        var sequence = sequences[id]!
        guard running.count + 1 + sequence.pendingForks.count <= limits.maxSequences else { return false }
        let hits = limits.prefixCaching ? blocks.cachedPrefix(of: sequence.tokens) : BlockTable()
        let computed = hits.blocks.count * blocks.blockSize
        let count = min(sequence.tokens.count + sequence.draftTokens.count - computed, budget)
        guard let copies = blocks.allocate(&sequence.blockTable, hits: hits, computed: computed,
                                           tokens: computed + count) else { return false }
        plan.copies += copies
        counters.prefixQueriedTokens += sequence.tokens.count
        counters.prefixHitTokens += computed
        if sequence.preemptions == 0 { sequence.cachedPromptTokens = min(computed, sequence.promptCount) }
        sequence.computedCount = computed
        sequence.status = .running
        sequences[id] = sequence
        waiting.removeFirst()
        insert(id, into: &running)
        budget -= count
        plan.chunks.append(chunk(for: id, count: count))
        return true
    }

    /// The chunk of `count` positions for `id`; when it completes the prompt of a sequence
    /// with forks pending, the forks start here, sharing its blocks.
    private mutating func chunk(for id: Int, count: Int) -> ScheduledChunk {
        var sequence = sequences[id]!
        let start = sequence.computedCount
        let end = start + count
        let total = sequence.tokens.count + sequence.draftTokens.count
        var samplers = [id]
        if end == total, !sequence.pendingForks.isEmpty {
            for forkID in sequence.pendingForks {
                guard var fork = sequences[forkID] else { continue }
                fork.blockTable = blocks.fork(sequence.blockTable)
                fork.computedCount = end
                fork.status = .running
                sequences[forkID] = fork
                insert(forkID, into: &running)
                samplers.append(forkID)
            }
            sequence.pendingForks = []
            sequences[id] = sequence
        }
        return ScheduledChunk(sequence: id, start: start, count: count,
                              logitsFrom: end == total ? sequence.tokens.count - 1 : nil, samplers: samplers)
    }

    private mutating func preempt(_ id: Int, plan: inout SchedulerOutput) {
        var sequence = sequences[id]!
        blocks.free(&sequence.blockTable)
        sequence.computedCount = 0
        sequence.draftTokens = []
        sequence.status = .waiting
        sequence.preemptions += 1
        sequences[id] = sequence
        running.removeAll { $0 == id }
        insert(id, into: &waiting)
        counters.preemptions += 1
        plan.preempted.append(id)
    }

    // MARK: After the step

    /// Records what the step computed and the tokens the runner drew: computed counts move
    /// forward, full blocks are registered for prefix reuse, drawn tokens are appended.
    public mutating func update(_ plan: SchedulerOutput, _ output: RunnerOutput) {
        for chunk in plan.chunks {
            guard var sequence = sequences[chunk.sequence] else { continue }
            sequence.computedCount = chunk.start + chunk.count
            sequence.draftTokens = []
            sequences[chunk.sequence] = sequence
        }
        for sampled in output.sampled {
            sequences[sampled.sequence]?.tokens.append(sampled.token)
        }
        for chunk in plan.chunks {
            for id in chunk.samplers {
                guard var sequence = sequences[id] else { continue }
                blocks.registerFullBlocks(&sequence.blockTable, tokens: sequence.tokens,
                                          computed: min(sequence.computedCount, sequence.tokens.count))
                sequences[id] = sequence
            }
        }
    }

    private func insert(_ id: Int, into list: inout [Int]) {
        let sequence = sequences[id]!
        let index = list.firstIndex { sequence.precedes(sequences[$0]!) } ?? list.count
        list.insert(id, at: index)
    }
}
