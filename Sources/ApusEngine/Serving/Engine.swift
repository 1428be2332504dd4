import ApusModels
import ApusSampling
import ApusTokenizer
import Foundation

/// The serving engine: many requests at once on one model, with continuous batching, a
/// paged KV cache with prefix caching, chunked prefill and preemption.
///
/// Requests come in through `submit` from any thread and are handed to the engine's own
/// loop thread, which runs `step()` — schedule → execute → update → emit — while there is
/// work, and sleeps otherwise. Each request's events go to its stream; dropping the stream
/// cancels the request, and its blocks are freed within one step.
public final class Engine: @unchecked Sendable {
    /// The model.
    public let model: TransformerModel
    /// The model's tokenizer.
    public let tokenizer: Tokenizer
    /// The configuration, with limits clamped to what the model was loaded for.
    public let configuration: EngineConfiguration
    /// Tokens (prompt + output) one sequence may hold.
    public let contextLength: Int
    /// Tokens in the vocabulary.
    public var vocabularySize: Int { model.hyperparameters.vocabularySize }

    // Shared with submitters, under `condition`.
    private let condition = NSCondition()
    private var inbox: [(request: GenerationRequest, sink: @Sendable (GenerationEvent) -> Void, arrival: Double)] = []
    private var cancellations: [String] = []
    private var liveIDs = Set<String>()
    private var waitingRequests = 0
    private var stopping = false
    private var stopped = false
    private var snapshot = EngineMetrics()

    // The loop thread's own state.
    var scheduler: Scheduler
    let runner: Runner
    var requests: [Int: RequestState] = [:]
    var requestByID: [String: Int] = [:]
    var owners: [Int: (request: Int, choice: Int)] = [:]
    var nextSequence = 0
    var nextRequest = 0
    var totals = EngineMetrics()

    /// An engine over a loaded model. The model must have been loaded with `maxBatchTokens`
    /// ≥ the configuration's (the configuration is clamped otherwise) and room for one logit
    /// row per running sequence.
    public init(model: TransformerModel, tokenizer: Tokenizer, configuration: EngineConfiguration = .init()) throws(EngineError) {
        var config = configuration
        config.maxBatchTokens = min(config.maxBatchTokens, model.maxBatchTokens)
        config.maxSequences = min(config.maxSequences, model.maxLogitRows, config.maxBatchTokens)
        config.maxChoices = min(config.maxChoices, config.maxSequences)
        guard config.maxBatchTokens > 0, config.maxSequences > 0 else {
            throw .invalidParameter("max_batch_tokens / max_seqs", "\(config.maxBatchTokens) / \(config.maxSequences)", "> 0")
        }
        if let cap = config.maxPromptTokensBesideDecodes, cap < 1 {
            throw .invalidParameter("max_prompt_tokens_beside_decodes", "\(cap)", ">= 1")
        }
        guard config.blockSize > 0, config.maxWaiting >= 0 else {
            throw .invalidParameter("block size / max waiting", "\(config.blockSize) / \(config.maxWaiting)", "> 0 / >= 0")
        }
        let minimum = model.contextLength + config.blockSize
        let tokens = config.kvCacheTokens
            ?? max(minimum, (config.kvCacheMiB ?? 1024) * (1 << 20) / model.cacheBytesPerPosition)
        guard tokens >= config.blockSize * 2 else { throw .invalidParameter("kv cache tokens", "\(tokens)", ">= \(config.blockSize * 2)") }
        let cache = model.makeCache(tokens: tokens, blockSize: config.blockSize)
        cache.surrenderBlocks()
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = config
        contextLength = min(model.contextLength, cache.capacityTokens)
        scheduler = Scheduler(limits: .init(maxBatchTokens: config.maxBatchTokens, maxSequences: config.maxSequences,
                                            prefixCaching: config.prefixCaching,
                                            maxPromptTokensBesideDecodes: config.maxPromptTokensBesideDecodes),
                              blocks: BlockManager(blockCount: cache.blockCount, blockSize: config.blockSize))
        runner = Runner(model: model, cache: cache, endTokens: tokenizer.vocabulary.endOfGeneration.map(Int.init))
        snapshot.kvCacheTokens = cache.capacityTokens
        totals.kvCacheTokens = cache.capacityTokens
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "apus-engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit { shutdown() }

    // MARK: Submitting

    /// Queues `request` and returns its events. Throws at once if the request is invalid or
    /// the waiting queue is full; ending the stream early (dropping it) cancels the request.
    public func submit(_ request: GenerationRequest) throws(EngineError) -> AsyncStream<GenerationEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: GenerationEvent.self, bufferingPolicy: .unbounded)
        let id = request.id
        continuation.onTermination = { [weak self] reason in
            if case .cancelled = reason { self?.cancel(id: id) }
        }
        try enqueue(request) { event in
            continuation.yield(event)
            if case .completed = event { continuation.finish() }
        }
        return stream
    }

    /// Runs `request` to the end on the calling thread, handing each event to `onEvent`;
    /// `shouldStop` is polled while waiting (Ctrl-C) and cancels the request. For the
    /// command line, which has no async context.
    public func run(_ request: GenerationRequest, shouldStop: () -> Bool = { false },
                    onEvent: (GenerationEvent) -> Void) throws(EngineError) {
        let mailbox = Mailbox()
        try enqueue(request) { mailbox.put($0) }
        var cancelled = false
        while true {
            for event in mailbox.take(timeout: 0.05) {
                onEvent(event)
                if case .completed = event { return }
            }
            if !cancelled, shouldStop() {
                cancel(id: request.id)
                cancelled = true
            }
        }
    }

    /// Cancels request `id` (ignored if unknown or finished): its choices end with
    /// `cancelled` and its blocks are freed within one step.
    public func cancel(id: String) {
        condition.lock()
        cancellations.append(id)
        condition.signal()
        condition.unlock()
    }

    /// The engine's current state and counters.
    public func metrics() -> EngineMetrics {
        condition.lock()
        defer { condition.unlock() }
        return snapshot
    }

    /// Cancels every request, stops the loop thread and waits for it. Idempotent.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func enqueue(_ request: GenerationRequest,
                         sink: @escaping @Sendable (GenerationEvent) -> Void) throws(EngineError) {
        try validate(request)
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw .shuttingDown }
        guard !liveIDs.contains(request.id) else { throw .duplicateID(request.id) }
        let waiting = inbox.count + waitingRequests
        guard waiting < configuration.maxWaiting else { throw .overloaded(waiting: waiting, limit: configuration.maxWaiting) }
        liveIDs.insert(request.id)
        inbox.append((request, sink, monotonicSeconds()))
        condition.signal()
    }

    private func validate(_ request: GenerationRequest) throws(EngineError) {
        guard !request.prompt.isEmpty else { throw .emptyPrompt }
        if let bad = request.prompt.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw .tokenOutOfRange(token: bad, vocabularySize: vocabularySize)
        }
        guard request.prompt.count < contextLength else { throw .promptTooLong(tokens: request.prompt.count, limit: contextLength) }
        guard (1...configuration.maxChoices).contains(request.n) else {
            throw .invalidParameter("n", "\(request.n)", "in 1...\(configuration.maxChoices)")
        }
        if let logprobs = request.logprobs, !(0...20).contains(logprobs) {
            throw .invalidParameter("top_logprobs", "\(logprobs)", "in 0...20")
        }
        if let maxTokens = request.stop.maxTokens, maxTokens < 1 {
            throw .invalidParameter("max_tokens", "\(maxTokens)", ">= 1")
        }
        guard request.stop.minTokens >= 0, request.stop.minTokens <= (request.stop.maxTokens ?? Int.max) else {
            throw .invalidParameter("min_tokens", "\(request.stop.minTokens)", ">= 0 and <= max_tokens")
        }
        do { try request.sampling.validate() } catch {
            guard case let .outOfRange(name, value, range) = error else { return }
            throw .invalidParameter(name, value, range)
        }
    }

    // MARK: The loop thread

    private func loop() {
        while true {
            condition.lock()
            while inbox.isEmpty, cancellations.isEmpty, !scheduler.hasWork, !stopping { condition.wait() }
            let arrivals = inbox, cancelled = cancellations, stop = stopping
            inbox = []
            cancellations = []
            condition.unlock()

            for arrival in arrivals { admit(arrival.request, sink: arrival.sink, arrival: arrival.arrival) }
            for id in cancelled { cancelRequest(id) }
            if stop {
                for id in Array(requestByID.keys) { cancelRequest(id) }
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            if scheduler.hasWork { step() }
            publish()
        }
    }

    /// One engine step.
    private func step() {
        let plan = scheduler.schedule()
        totals.steps += 1
        noteScheduled(plan)
        do {
            let output = try runner.execute(plan, sequences: scheduler.sequences, suppressed: suppressedTokens)
            scheduler.update(plan, output)
            emit(output)
        } catch {
            fail(plan, error)
        }
        endOutOfRoom(plan.outOfRoom)
    }

    func publish() {
        var metrics = totals
        metrics.running = scheduler.running.count
        metrics.waiting = scheduler.waiting.count
        metrics.kvCacheUsage = Double(scheduler.blocks.usedBlockCount) / Double(scheduler.blocks.blockCount)
        metrics.prefixCacheQueriedTokens = scheduler.counters.prefixQueriedTokens
        metrics.prefixCacheHitTokens = scheduler.counters.prefixHitTokens
        metrics.preemptions = scheduler.counters.preemptions
        metrics.forwardSeconds = runner.forwardSeconds
        metrics.samplingSeconds = runner.samplingSeconds
        let waiting = Set(scheduler.waiting.compactMap { owners[$0]?.request }).count
        condition.lock()
        snapshot = metrics
        waitingRequests = waiting
        condition.unlock()
    }

    /// Called on the loop thread when a request finishes: its id may be reused.
    func release(id: String) {
        condition.lock()
        liveIDs.remove(id)
        condition.unlock()
    }
}

/// Events handed from the engine thread to a thread that waits for them.
private final class Mailbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [GenerationEvent] = []

    func put(_ event: GenerationEvent) {
        condition.lock()
        events.append(event)
        condition.signal()
        condition.unlock()
    }

    func take(timeout: Double) -> [GenerationEvent] {
        condition.lock()
        defer { condition.unlock() }
        if events.isEmpty { _ = condition.wait(until: Date(timeIntervalSinceNow: timeout)) }
        let taken = events
        events = []
        return taken
    }
}
