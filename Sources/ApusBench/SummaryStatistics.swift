/// Mean, median, standard deviation and percentiles of a sample, computed the way NumPy
/// does (`np.mean`, `np.median`, population `np.std`, `np.percentile` with linear
/// interpolation), so figures match vLLM's to the last digit. An empty sample gives zeros,
/// as vLLM's `np.mean(x or 0)` does.
public struct SummaryStatistics: Sendable, Equatable {
    /// Arithmetic mean.
    public let mean: Double
    /// The 50th percentile.
    public let median: Double
    /// Population standard deviation (divides by n, NumPy's default).
    public let standardDeviation: Double
    /// The sample size.
    public let count: Int
    private let sorted: [Double]

    /// The statistics of `values` (exact: the values are sorted once and kept).
    public init(_ values: [Double]) {
        sorted = values.sorted()
        count = values.count
        guard !values.isEmpty else {
            mean = 0; median = 0; standardDeviation = 0
            return
        }
        let m = values.reduce(0, +) / Double(values.count)
        mean = m
        standardDeviation = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
        median = Self.percentile(50, of: sorted)
    }

    /// The `p`th percentile (0...100), linearly interpolated between the closest ranks.
    public func percentile(_ p: Double) -> Double { Self.percentile(p, of: sorted) }

    private static func percentile(_ p: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = rank - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }
}
