import Foundation

/// A finished benchmark in vLLM's two forms: the "Serving Benchmark Result" block and the
/// JSON result with vLLM's key names (`completed`, `request_throughput`, `mean_ttft_ms`,
/// `p99_tpot_ms`, …), so tools that read `vllm bench serve` results read these too.
public struct BenchmarkReport: Sendable {
    /// What was run, for the header fields of the JSON.
    public struct Setup: Sendable {
        /// `openai` for the completions endpoint, `openai-chat` for chat (vLLM's backend names).
        public var backend: String
        /// The model name sent.
        public var model: String
        /// The tokenizer used to size prompts (`words` for the approximation).
        public var tokenizer: String
        /// Requests per second (`.infinity` for all at once).
        public var requestRate: Double
        /// Gamma shape of the arrivals.
        public var burstiness: Double
        /// The concurrency limit, if any.
        public var maxConcurrency: Int?
        /// The SLOs for goodput, if any.
        public var goodput: GoodputSLO?
        /// Percentiles reported for every metric.
        public var percentiles: [Double]

        /// A setup; see the properties.
        public init(backend: String, model: String, tokenizer: String, requestRate: Double, burstiness: Double,
                    maxConcurrency: Int?, goodput: GoodputSLO?, percentiles: [Double] = [90, 99]) {
            self.backend = backend
            self.model = model
            self.tokenizer = tokenizer
            self.requestRate = requestRate
            self.burstiness = burstiness
            self.maxConcurrency = maxConcurrency
            self.goodput = goodput
            self.percentiles = percentiles
        }
    }

    /// The run's setup.
    public let setup: Setup
    /// The per-request outcomes, in plan order.
    public let outcomes: [RequestOutcome]
    /// The figures.
    public let metrics: BenchmarkMetrics
    /// Seconds the measured run took.
    public let duration: Double

    /// The report of a run.
    public init(setup: Setup, run: BenchmarkRunner.Run) {
        self.setup = setup
        outcomes = run.outcomes
        duration = run.duration
        metrics = BenchmarkMetrics(outcomes: run.outcomes, duration: run.duration, goodput: setup.goodput)
    }

    /// The four latency metrics in vLLM's order: key stem, printed name, section header.
    static let latencyMetrics: [(key: String, name: String, header: String)] = [
        ("ttft", "TTFT", "Time to First Token"),
        ("tpot", "TPOT", "Time per Output Token (excl. 1st token)"),
        ("itl", "ITL", "Inter-token Latency"),
        ("e2el", "E2EL", "End-to-end Latency"),
    ]

    func statistics(_ key: String) -> SummaryStatistics {
        switch key {
        case "ttft": return metrics.ttft
        case "tpot": return metrics.tpot
        case "itl": return metrics.itl
        default: return metrics.e2el
        }
    }

    /// "99" for 99, "99.9" for 99.9, as vLLM names percentile keys.
    static func percentileWord(_ p: Double) -> String {
        p == p.rounded() ? String(Int(p)) : String(p)
    }

    /// The JSON object with vLLM's key names; per-request arrays included, generated texts
    /// only when `includeTexts`.
    public func jsonObject(includeTexts: Bool = false, date: Date = Date()) -> [String: Any] {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var result: [String: Any] = [
            "date": formatter.string(from: date),
            "backend": setup.backend,
            "model_id": setup.model,
            "tokenizer_id": setup.tokenizer,
            "num_prompts": outcomes.count,
            "request_rate": setup.requestRate.isFinite ? setup.requestRate as Any : "inf",
            "burstiness": setup.burstiness,
            "max_concurrency": setup.maxConcurrency.map { $0 as Any } ?? NSNull(),
            "duration": duration,
            "completed": metrics.completed,
            "failed": metrics.failed,
            "total_input_tokens": metrics.totalInputTokens,
            "total_output_tokens": metrics.totalOutputTokens,
            "request_throughput": metrics.requestThroughput,
            "request_goodput": metrics.requestGoodput.map { $0 as Any } ?? NSNull(),
            "output_throughput": metrics.outputThroughput,
            "total_token_throughput": metrics.totalTokenThroughput,
            "max_output_tokens_per_s": metrics.maxOutputTokensPerSecond,
            "max_concurrent_requests": metrics.maxConcurrentRequests,
            "input_lens": outcomes.map(\.promptTokens),
            "output_lens": outcomes.map { $0.success ? $0.outputTokens : 0 },
            "ttfts": outcomes.map(\.timeToFirstToken),
            "itls": outcomes.map(\.interTokenLatencies),
            "errors": outcomes.map { $0.error ?? "" },
        ]
        if let goodput = setup.goodput { result["goodput_slos_ms"] = goodput.entries }
        if includeTexts { result["generated_texts"] = outcomes.map(\.generatedText) }
        for metric in Self.latencyMetrics {
            let stats = statistics(metric.key)
            result["mean_\(metric.key)_ms"] = stats.mean * 1000
            result["median_\(metric.key)_ms"] = stats.median * 1000
            result["std_\(metric.key)_ms"] = stats.standardDeviation * 1000
            for p in setup.percentiles {
                result["p\(Self.percentileWord(p))_\(metric.key)_ms"] = stats.percentile(p) * 1000
            }
        }
        return result
    }

    /// The JSON result, pretty-printed with sorted keys.
    public func jsonData(includeTexts: Bool = false) throws -> Data {
        try JSONSerialization.data(withJSONObject: jsonObject(includeTexts: includeTexts), options: [.prettyPrinted, .sortedKeys])
    }

    /// vLLM's result block, line for line in its layout.
    public var text: String {
        var lines: [String] = []
        func row(_ label: String, _ value: String) {
            // Python's "{:<40} {:<10}": both columns left-aligned and padded, trailing spaces included.
            lines.append(label.padding(toLength: max(40, label.count), withPad: " ", startingAt: 0) + " "
                         + value.padding(toLength: max(10, value.count), withPad: " ", startingAt: 0))
        }
        func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
        lines.append(Self.centered(" Serving Benchmark Result ", fill: "="))
        row("Successful requests:", String(metrics.completed))
        row("Failed requests:", String(metrics.failed))
        if let limit = setup.maxConcurrency { row("Maximum request concurrency:", String(limit)) }
        if setup.requestRate.isFinite { row("Request rate configured (RPS):", fixed(setup.requestRate)) }
        row("Benchmark duration (s):", fixed(duration))
        row("Total input tokens:", String(metrics.totalInputTokens))
        row("Total generated tokens:", String(metrics.totalOutputTokens))
        row("Request throughput (req/s):", fixed(metrics.requestThroughput))
        if let goodput = metrics.requestGoodput { row("Request goodput (req/s):", fixed(goodput)) }
        row("Output token throughput (tok/s):", fixed(metrics.outputThroughput))
        row("Peak output token throughput (tok/s):", fixed(metrics.maxOutputTokensPerSecond))
        row("Peak concurrent requests:", fixed(Double(metrics.maxConcurrentRequests)))
        row("Total Token throughput (tok/s):", fixed(metrics.totalTokenThroughput))
        for metric in Self.latencyMetrics {
            let stats = statistics(metric.key)
            lines.append(Self.centered(metric.header, fill: "-"))
            row("Mean \(metric.name) (ms):", fixed(stats.mean * 1000))
            row("Median \(metric.name) (ms):", fixed(stats.median * 1000))
            for p in setup.percentiles {
                row("P\(Self.percentileWord(p)) \(metric.name) (ms):", fixed(stats.percentile(p) * 1000))
            }
        }
        lines.append(String(repeating: "=", count: 50))
        if let error = metrics.firstError { lines.append("First error (\(metrics.failed) failed): \(error)") }
        return lines.joined(separator: "\n")
    }

    /// `text` centred in 50 columns of `fill`, as Python's `{:=^50}` does (extra fill right).
    static func centered(_ text: String, fill: Character) -> String {
        let total = max(0, 50 - text.count)
        let left = total / 2
        return String(repeating: fill, count: left) + text + String(repeating: fill, count: total - left)
    }
}
