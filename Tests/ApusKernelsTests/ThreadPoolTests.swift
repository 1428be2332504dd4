import ApusKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("Thread pool", .serialized)
struct ThreadPoolTests {
    @Test func rejectsZeroThreads() {
        #expect(throws: ThreadPoolError.self) { try ThreadPool(threadCount: 0) }
    }

    @Test(arguments: [1, 2, 3, 4])
    func manyTinyJobsRunEveryTaskOnce(threads: Int) throws {
        let pool = try ThreadPool(threadCount: threads)
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { slots.deallocate() }
        for round in 0..<5_000 {
            let tasks = 1 + round % 64
            slots.initialize(repeating: 0, count: 64)
            pool.run(tasks: tasks) { index in slots[index] += index + 1 }
            for index in 0..<64 {
                let expected = index < tasks ? index + 1 : 0
                if slots[index] != expected {
                    Issue.record("round \(round): slot \(index) is \(slots[index]), expected \(expected)")
                    return
                }
            }
        }
    }

    @Test func idleWorkersParkAndWakeUp() throws {
        // A tiny spin budget makes workers park between jobs, exercising the wake-up path.
        let pool = try ThreadPool(threadCount: 3, spinIterations: 1)
        let counter = Atomic<Int>(0)
        for _ in 0..<2_000 {
            pool.run(tasks: 8) { _ in counter.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(counter.load(ordering: .relaxed) == 16_000)
    }

    @Test func nestedRunExecutesInline() throws {
        let pool = try ThreadPool(threadCount: 2)
        let counter = Atomic<Int>(0)
        pool.run(tasks: 4) { _ in
            pool.run(tasks: 5) { _ in counter.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(counter.load(ordering: .relaxed) == 20)
    }

    @Test func poolsAreReleased() throws {
        for _ in 0..<50 {
            let pool = try ThreadPool(threadCount: 2, spinIterations: 10)
            let counter = Atomic<Int>(0)
            pool.run(tasks: 3) { _ in counter.wrappingAdd(1, ordering: .relaxed) }
            #expect(counter.load(ordering: .relaxed) == 3)
        }
    }

    /// A job with more tasks than the claim counter holds runs them in claims of several.
    @Test func moreTasksThanTheClaimCounterHolds() throws {
        let pool = try ThreadPool(threadCount: 2)
        let tasks = (1 << 20) + 37
        let seen = UnsafeMutablePointer<UInt8>.allocate(capacity: tasks)
        defer { seen.deallocate() }
        seen.initialize(repeating: 0, count: tasks)
        pool.run(tasks: tasks) { seen[$0] &+= 1 }
        #expect((0..<tasks).allSatisfy { seen[$0] == 1 })
    }

    /// One task that takes long (a thread stuck in it, as a descheduled one would be) does
    /// not stop the other threads from taking every other task; the job still ends with
    /// every task run once.
    @Test func aSlowTaskDoesNotHoldUpTheRest() throws {
        let pool = try ThreadPool(threadCount: 3, spinIterations: 100)
        let counter = Atomic<Int>(0)
        let othersDoneBeforeSlowEnded = Atomic<Bool>(false)
        pool.run(tasks: 400) { index in
            if index == 0 {
                // Wait (bounded) until the other 399 tasks are done: they must not need this thread.
                var waited = 0
                while counter.load(ordering: .acquiring) < 399, waited < 2_000 {
                    usleep(1_000)
                    waited += 1
                }
                othersDoneBeforeSlowEnded.store(counter.load(ordering: .acquiring) == 399, ordering: .relaxed)
            }
            counter.wrappingAdd(1, ordering: .releasing)
        }
        #expect(counter.load(ordering: .relaxed) == 400)
        let othersDone = othersDoneBeforeSlowEnded.load(ordering: .relaxed)
        #expect(othersDone)
    }

    /// More pool threads than cores, jobs back to back with tiny spin budgets (workers park
    /// and wake late, after their job may be over): a late worker never runs a task of a
    /// finished job or one twice.
    @Test func lateWorkersNeverRunStaleTasks() throws {
        let pool = try ThreadPool(threadCount: 4, spinIterations: 3)
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        defer { slots.deallocate() }
        for round in 0..<3_000 {
            let tasks = 2 + round % 15
            slots.initialize(repeating: 0, count: 16)
            pool.run(tasks: tasks) { index in slots[index] += round + 1 }
            for index in 0..<16 where slots[index] != (index < tasks ? round + 1 : 0) {
                Issue.record("round \(round): slot \(index) is \(slots[index])")
                return
            }
        }
    }
}
