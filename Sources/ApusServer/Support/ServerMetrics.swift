import ApusEngine
import CoreMetrics
import Prometheus
import Synchronization

/// The server's Prometheus metrics, vLLM's names and meanings with the `apus:` prefix.
/// Metrics are swift-metrics instruments made by a Prometheus factory over a registry of
/// this server's own (no global bootstrap, so several servers can live in one process).
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    private let running: CoreMetrics.Gauge
    private let waiting: CoreMetrics.Gauge
    private let kvCacheUsage: CoreMetrics.Gauge
    private let kvCacheTokens: CoreMetrics.Gauge
    private let prefixHitRate: CoreMetrics.Gauge
    private let prefixQueries: CoreMetrics.Counter
    private let prefixHits: CoreMetrics.Counter
    private let promptTokens: CoreMetrics.Counter
    private let generationTokens: CoreMetrics.Counter
    private let preemptions: CoreMetrics.Counter
    private let timeToFirstToken: CoreMetrics.Timer
    private let interTokenLatency: CoreMetrics.Timer
    private let endToEnd: CoreMetrics.Timer
    private let queueTime: CoreMetrics.Timer
    private let requestPromptTokens: CoreMetrics.Recorder
    private let requestGenerationTokens: CoreMetrics.Recorder
    private let rooflineFraction: CoreMetrics.Recorder
    /// Engine counters at the last scrape: the Prometheus counters grow by the difference.
    private let lastLoad = Mutex(EngineMetrics())

    /// Metrics on a fresh registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // vLLM's buckets, so dashboards built for vLLM read the same.
        let ttft: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560]
        let itl: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]
        let request: [Double] = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680]
        let tokens: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
        let seconds = { (values: [Double]) in values.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) } }
        factory.durationHistogramBuckets = [
            "apus:time_to_first_token_seconds": seconds(ttft),
            "apus:inter_token_latency_seconds": seconds(itl),
            "apus:e2e_request_latency_seconds": seconds(request),
            "apus:request_queue_time_seconds": seconds(request),
        ]
        // Idealized runtime ÷ actual runtime: 1 is the roofline.
        let fraction: [Double] = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.5]
        factory.valueHistogramBuckets = ["apus:request_prompt_tokens": tokens, "apus:request_generation_tokens": tokens,
                                         "apus:request_roofline_fraction": fraction]
        self.factory = factory
        running = CoreMetrics.Gauge(label: "apus:num_requests_running", factory: factory)
        waiting = CoreMetrics.Gauge(label: "apus:num_requests_waiting", factory: factory)
        kvCacheUsage = CoreMetrics.Gauge(label: "apus:kv_cache_usage_perc", factory: factory)
        kvCacheTokens = CoreMetrics.Gauge(label: "apus:kv_cache_tokens", factory: factory)
        prefixHitRate = CoreMetrics.Gauge(label: "apus:prefix_cache_hit_rate", factory: factory)
        prefixQueries = CoreMetrics.Counter(label: "apus:prefix_cache_queries_total", factory: factory)
        prefixHits = CoreMetrics.Counter(label: "apus:prefix_cache_hits_total", factory: factory)
        promptTokens = CoreMetrics.Counter(label: "apus:prompt_tokens_total", factory: factory)
        generationTokens = CoreMetrics.Counter(label: "apus:generation_tokens_total", factory: factory)
        preemptions = CoreMetrics.Counter(label: "apus:num_preemptions_total", factory: factory)
        timeToFirstToken = CoreMetrics.Timer(label: "apus:time_to_first_token_seconds", factory: factory)
        interTokenLatency = CoreMetrics.Timer(label: "apus:inter_token_latency_seconds", factory: factory)
        endToEnd = CoreMetrics.Timer(label: "apus:e2e_request_latency_seconds", factory: factory)
        queueTime = CoreMetrics.Timer(label: "apus:request_queue_time_seconds", factory: factory)
        requestPromptTokens = CoreMetrics.Recorder(label: "apus:request_prompt_tokens", factory: factory)
        requestGenerationTokens = CoreMetrics.Recorder(label: "apus:request_generation_tokens", factory: factory)
        rooflineFraction = CoreMetrics.Recorder(label: "apus:request_roofline_fraction", factory: factory)
        for reason in ["stop", "length", "abort", "error"] { finished(reason).increment(by: 0) }
    }

    private func finished(_ reason: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "apus:request_success_total", dimensions: [("finished_reason", reason)], factory: factory)
    }

    /// Records one finished engine request: its finish reason (the first choice's), latency
    /// histograms, sizes, and the fraction of its idealized runtime it achieved (when known).
    func record(_ usage: RequestUsage, finishReason: String, roofline: RooflineEstimate? = nil) {
        if let roofline, usage.completionTokens > 0 { rooflineFraction.record(roofline.fraction) }
        finished(finishReason).increment()
        let t = usage.timings
        queueTime.recordSeconds(t.queue)
        if usage.completionTokens > 0 { timeToFirstToken.recordSeconds(t.timeToFirstToken) }
        for gap in t.interTokenGaps { interTokenLatency.recordSeconds(gap) }
        endToEnd.recordSeconds(t.total)
        requestPromptTokens.record(usage.promptTokens)
        requestGenerationTokens.record(usage.completionTokens)
    }

    /// Brings the gauges and engine counters up to `load` (called on each scrape).
    func update(_ load: EngineMetrics) {
        running.record(load.running)
        waiting.record(load.waiting)
        kvCacheUsage.record(load.kvCacheUsage)
        kvCacheTokens.record(load.kvCacheTokens)
        prefixHitRate.record(load.prefixCacheQueriedTokens > 0
            ? Double(load.prefixCacheHitTokens) / Double(load.prefixCacheQueriedTokens) : 0)
        let last = lastLoad.withLock { last in
            let previous = last
            last = load
            return previous
        }
        prefixQueries.increment(by: max(0, load.prefixCacheQueriedTokens - last.prefixCacheQueriedTokens))
        prefixHits.increment(by: max(0, load.prefixCacheHitTokens - last.prefixCacheHitTokens))
        promptTokens.increment(by: max(0, load.promptTokens - last.promptTokens))
        generationTokens.increment(by: max(0, load.generationTokens - last.generationTokens))
        preemptions.increment(by: max(0, load.preemptions - last.preemptions))
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }
}
