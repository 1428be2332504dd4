import ApusKernels
import Synchronization
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
}
