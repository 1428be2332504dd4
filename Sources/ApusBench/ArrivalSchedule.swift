/// When each request is sent, as vLLM's `get_request` does it: gaps between requests drawn
/// from a gamma distribution with shape `burstiness` and mean `1 / rate` (burstiness 1 is a
/// Poisson process; below 1 burstier, above 1 more even), all at once for an infinite rate.
public struct ArrivalSchedule: Sendable, Equatable {
    /// Send times in seconds after the start, one per request, non-decreasing; the first is 0.
    public let offsets: [Double]

    /// The schedule for `count` requests.
    /// - Parameters:
    ///   - rate: requests per second; `.infinity` sends every request at once.
    ///   - burstiness: the gamma shape (1 = Poisson).
    ///   - seed: the same seed gives the same schedule.
    public init(count: Int, rate: Double, burstiness: Double = 1, seed: UInt64) throws {
        guard rate > 0 else { throw BenchError.invalidOption(name: "--request-rate", reason: "must be positive (or inf), got \(rate)") }
        guard burstiness > 0, burstiness.isFinite else {
            throw BenchError.invalidOption(name: "--burstiness", reason: "must be a positive number, got \(burstiness)")
        }
        guard rate.isFinite else {
            offsets = Array(repeating: 0, count: max(0, count))
            return
        }
        var generator = SeededGenerator(seed: seed)
        let scale = 1 / (rate * burstiness)
        var time = 0.0
        var result: [Double] = []
        result.reserveCapacity(max(0, count))
        for _ in 0..<max(0, count) {
            result.append(time)
            time += generator.nextGamma(shape: burstiness, scale: scale)
        }
        offsets = result
    }
}
