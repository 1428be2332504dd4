import ApusKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("Contention backoff")
struct ContentionBackoffTests {
    let ms: UInt64 = 1_000_000

    @Test func aQuietPoolAlwaysShares() {
        let backoff = ContentionBackoff(minimumPenalty: 2 * ms, maximumPenalty: 64 * ms)
        #expect(!backoff.runsAlone(at: 0))
        #expect(!backoff.runsAlone(at: 1_000 * ms))
        #expect(backoff.penalty == 0)
    }

    @Test func aStallRunsJobsAloneForThePenalty() {
        var backoff = ContentionBackoff(minimumPenalty: 2 * ms, maximumPenalty: 64 * ms)
        backoff.recordStall(at: 100 * ms)
        #expect(backoff.runsAlone(at: 100 * ms))
        #expect(backoff.runsAlone(at: 102 * ms - 1))
        #expect(!backoff.runsAlone(at: 102 * ms))
    }

    @Test func stallsThatComeBackDoubleThePenaltyUpToTheMaximum() {
        var backoff = ContentionBackoff(minimumPenalty: 2 * ms, maximumPenalty: 16 * ms)
        var now = 10 * ms
        var penalties: [UInt64] = []
        for _ in 0..<6 {
            backoff.recordStall(at: now)
            penalties.append(backoff.penalty / ms)
            now += backoff.penalty + ms   // the next stall comes soon after the penalty ends
        }
        #expect(penalties == [2, 4, 8, 16, 16, 16])
    }

    @Test func aStallLongAfterTheLastStartsSmallAgain() {
        var backoff = ContentionBackoff(minimumPenalty: 2 * ms, maximumPenalty: 64 * ms)
        backoff.recordStall(at: 0)
        backoff.recordStall(at: 3 * ms)
        #expect(backoff.penalty == 4 * ms)
        backoff.recordStall(at: 1_000 * ms)
        #expect(backoff.penalty == 2 * ms)
        #expect(backoff.runsAlone(at: 1_001 * ms))
    }

    @Test func stallsAreWaitsFarLongerThanTheCallersOwnTasks() {
        // A wait of about one task is normal; milliseconds after microsecond tasks is not.
        #expect(!ContentionBackoff.isStall(waited: 8_000, perTask: 5_000))
        #expect(!ContentionBackoff.isStall(waited: 60_000, perTask: 5_000))
        #expect(ContentionBackoff.isStall(waited: 2_000_000, perTask: 5_000))
        // Prompt-sized tasks of a millisecond may keep the caller waiting that long.
        #expect(!ContentionBackoff.isStall(waited: 2_000_000, perTask: 1_000_000))
    }

    /// Jobs where a worker's task stalls (it sleeps, as a descheduled thread would) switch
    /// the pool to running jobs alone and back; every task of every job still runs once.
    @Test func jobsAcrossStallsRunEveryTaskOnce() throws {
        let pool = try ThreadPool(threadCount: 2, spinIterations: 200)
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 32)
        defer { slots.deallocate() }
        let caller = pthread_self()
        for round in 0..<400 {
            let tasks = 2 + round % 31
            slots.initialize(repeating: 0, count: 32)
            pool.run(tasks: tasks) { index in
                // Every 50th job, a task on a worker stalls well past the caller's tasks.
                if round % 50 == 0, pthread_equal(pthread_self(), caller) == 0 { usleep(3_000) }
                slots[index] += round + 1
            }
            for index in 0..<32 where slots[index] != (index < tasks ? round + 1 : 0) {
                Issue.record("round \(round): slot \(index) is \(slots[index])")
                return
            }
        }
    }
}
