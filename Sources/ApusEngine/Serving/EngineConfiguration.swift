/// How the engine schedules and how much cache it keeps.
public struct EngineConfiguration: Sendable {
    /// Tokens computed per step at most (`--max-batch-tokens`): decodes plus prompt chunks.
    public var maxBatchTokens = 256
    /// Prompt tokens a step computes at most when it also decodes running streams
    /// (`--max-prompt-tokens-beside-decodes`; nil: the whole `maxBatchTokens`). Bounds what a long
    /// prompt adds to the running streams' inter-token latency.
    public var maxPromptTokensBesideDecodes: Int?
    /// Sequences running at once at most (`--max-seqs`).
    public var maxSequences = 32
    /// KV cache size in token positions (`--kv-cache-tokens`); wins over `kvCacheMiB`.
    public var kvCacheTokens: Int?
    /// KV cache size in MiB (`--kv-cache-mib`); default 1024, and never less than one full context.
    public var kvCacheMiB: Int?
    /// Positions per cache block.
    public var blockSize = 16
    /// Requests waiting at most before `submit` fails with `.overloaded` (`--max-waiting`).
    public var maxWaiting = 256
    /// Largest `n` (choices per request).
    public var maxChoices = 16
    /// Whether prompts reuse cached blocks of earlier requests (`--no-prefix-caching` turns it off).
    public var prefixCaching = true
    /// Whether a constrained choice appends the tokens its constraint forces without sampling
    /// them (jump-forward decoding, `--no-jump-forward` turns it off): the fixed text of a
    /// JSON schema's keys is computed in the next step as one chunk instead of one step per
    /// token. Choices that ask for logprobs always sample every token.
    public var jumpForward = true
    /// Compute threads (the model's pool; informational here).
    public var threads: Int?

    /// The defaults.
    public init() {}
}

/// A snapshot of the engine's state and counters, for `/metrics` and logs.
public struct EngineMetrics: Sendable, Equatable {
    /// Sequences being computed.
    public var running = 0
    /// Requests and preempted sequences waiting.
    public var waiting = 0
    /// Fraction (0…1) of cache blocks in use by sequences.
    public var kvCacheUsage = 0.0
    /// Cache capacity in token positions.
    public var kvCacheTokens = 0
    /// Prompt tokens looked up in the prefix cache (cumulative).
    public var prefixCacheQueriedTokens = 0
    /// Of those, tokens found cached (cumulative).
    public var prefixCacheHitTokens = 0
    /// Prompt tokens submitted (cumulative).
    public var promptTokens = 0
    /// Tokens generated (cumulative).
    public var generationTokens = 0
    /// Preemptions (cumulative).
    public var preemptions = 0
    /// Engine steps run (cumulative).
    public var steps = 0
    /// Seconds spent in forward passes and in sampling (cumulative).
    public var forwardSeconds = 0.0
    public var samplingSeconds = 0.0

    /// All zero.
    public init() {}
}
