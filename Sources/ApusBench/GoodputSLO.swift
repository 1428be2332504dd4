/// Service-level objectives a request must all meet to count toward goodput (vLLM's
/// `--goodput ttft:MS tpot:MS e2el:MS`). Limits are inclusive, in milliseconds.
public struct GoodputSLO: Sendable, Equatable {
    /// Most time to first token, ms.
    public var ttftMilliseconds: Double?
    /// Most time per output token, ms.
    public var tpotMilliseconds: Double?
    /// Most end-to-end latency, ms.
    public var e2elMilliseconds: Double?

    /// Objectives given directly.
    public init(ttftMilliseconds: Double? = nil, tpotMilliseconds: Double? = nil, e2elMilliseconds: Double? = nil) {
        self.ttftMilliseconds = ttftMilliseconds
        self.tpotMilliseconds = tpotMilliseconds
        self.e2elMilliseconds = e2elMilliseconds
    }

    /// Parses entries such as `["ttft:1000", "tpot:100"]`; nil for no entries.
    public init?(parsing entries: [String]) throws {
        guard !entries.isEmpty else { return nil }
        for entry in entries.flatMap({ $0.split(separator: " ") }) {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1]), value >= 0, value.isFinite else {
                throw BenchError.invalidGoodput(String(entry))
            }
            switch parts[0].lowercased() {
            case "ttft": ttftMilliseconds = value
            case "tpot": tpotMilliseconds = value
            case "e2el": e2elMilliseconds = value
            default: throw BenchError.invalidGoodput(String(entry))
            }
        }
    }

    /// True when a successful request meets every objective given. A request of one token
    /// has a TPOT of 0 here, as in vLLM.
    public func isMet(by outcome: RequestOutcome) -> Bool {
        guard outcome.success else { return false }
        if let limit = ttftMilliseconds, outcome.timeToFirstToken * 1000 > limit { return false }
        if let limit = tpotMilliseconds, (outcome.timePerOutputToken ?? 0) * 1000 > limit { return false }
        if let limit = e2elMilliseconds, outcome.latency * 1000 > limit { return false }
        return true
    }

    /// The `key:value` form, for the JSON result and the printout.
    public var entries: [String: Double] {
        var result: [String: Double] = [:]
        result["ttft"] = ttftMilliseconds
        result["tpot"] = tpotMilliseconds
        result["e2el"] = e2elMilliseconds
        return result
    }
}
