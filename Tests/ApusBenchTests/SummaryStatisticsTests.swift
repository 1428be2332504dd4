import Testing
@testable import ApusBench

/// Figures as NumPy computes them (`np.mean`, `np.median`, `np.std`, `np.percentile`).
@Suite struct SummaryStatisticsTests {
    @Test func matchesNumPy() {
        let stats = SummaryStatistics([4, 1, 3, 2])
        #expect(stats.mean == 2.5)
        #expect(stats.median == 2.5)
        #expect(abs(stats.standardDeviation - 1.118033988749895) < 1e-12)
        #expect(abs(stats.percentile(90) - 3.7) < 1e-12)
        #expect(abs(stats.percentile(99) - 3.97) < 1e-12)
        #expect(stats.percentile(0) == 1)
        #expect(stats.percentile(100) == 4)
        let odd = SummaryStatistics([10, 30, 20])
        #expect(odd.median == 20)
        #expect(abs(odd.percentile(25) - 15) < 1e-12)
    }

    @Test func emptySampleIsZero() {
        let stats = SummaryStatistics([])
        #expect(stats.mean == 0 && stats.median == 0 && stats.standardDeviation == 0 && stats.percentile(99) == 0)
    }
}
