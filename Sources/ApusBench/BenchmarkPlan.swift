/// How a benchmark sends its requests: which prompts, when (rate and burstiness), how many at
/// once, and how many warm-up requests go first without being counted.
public struct BenchmarkPlan: Sendable {
    /// The measured requests, in sending order.
    public var requests: [BenchmarkRequest]
    /// Requests per second; `.infinity` sends them all at once (limited by `maxConcurrency`).
    public var requestRate: Double
    /// Gamma shape of the gaps between requests (1 = Poisson).
    public var burstiness: Double
    /// The most requests in flight; nil for no limit.
    public var maxConcurrency: Int?
    /// Seed of the arrival times.
    public var seed: UInt64
    /// Requests sent (all at once) and awaited before the measured run; not counted.
    public var warmupRequests: [BenchmarkRequest]
    /// Whether to draw a progress bar on standard error.
    public var showProgress: Bool

    /// A plan; see the properties for each parameter.
    public init(requests: [BenchmarkRequest], requestRate: Double = .infinity, burstiness: Double = 1,
                maxConcurrency: Int? = nil, seed: UInt64 = 0, warmupRequests: [BenchmarkRequest] = [],
                showProgress: Bool = true) {
        self.requests = requests
        self.requestRate = requestRate
        self.burstiness = burstiness
        self.maxConcurrency = maxConcurrency
        self.seed = seed
        self.warmupRequests = warmupRequests
        self.showProgress = showProgress
    }
}
