import Testing
@testable import ApusBench

/// Arrivals: seeded, with the asked mean rate, and gamma gaps whose spread follows the
/// burstiness (squared coefficient of variation 1 / burstiness).
@Suite struct ArrivalScheduleTests {
    static func gaps(_ schedule: ArrivalSchedule) -> [Double] {
        zip(schedule.offsets.dropFirst(), schedule.offsets).map { $0 - $1 }
    }

    @Test func sameSeedSameSchedule() throws {
        let a = try ArrivalSchedule(count: 50, rate: 4, seed: 7)
        let b = try ArrivalSchedule(count: 50, rate: 4, seed: 7)
        let c = try ArrivalSchedule(count: 50, rate: 4, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(a.offsets.first == 0)
        #expect(zip(a.offsets.dropFirst(), a.offsets).allSatisfy { $0 >= $1 })
    }

    @Test(arguments: [0.5, 1.0, 4.0])
    func meanRateAndBurstiness(burstiness: Double) throws {
        let rate = 5.0
        let schedule = try ArrivalSchedule(count: 40_001, rate: rate, burstiness: burstiness, seed: 1)
        let stats = SummaryStatistics(Self.gaps(schedule))
        // 40,000 gaps: the mean is within 2% of 1 / rate (its standard error is under 0.8%).
        #expect(abs(stats.mean * rate - 1) < 0.02)
        let squaredVariation = (stats.standardDeviation / stats.mean) * (stats.standardDeviation / stats.mean)
        #expect(abs(squaredVariation * burstiness - 1) < 0.06)
    }

    @Test func infiniteRateSendsAllAtOnceAndBadValuesThrow() throws {
        #expect(try ArrivalSchedule(count: 3, rate: .infinity, seed: 0).offsets == [0, 0, 0])
        #expect(throws: BenchError.self) { try ArrivalSchedule(count: 3, rate: 0, seed: 0) }
        #expect(throws: BenchError.self) { try ArrivalSchedule(count: 3, rate: 1, burstiness: 0, seed: 0) }
    }
}
