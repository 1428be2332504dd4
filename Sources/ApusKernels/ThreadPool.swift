#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Errors from creating a thread pool.
public enum ThreadPoolError: Error, CustomStringConvertible {
    /// The requested number of threads is below 1.
    case invalidThreadCount(Int)
    /// The operating system refused to start a worker thread.
    case threadCreationFailed(errno: Int32)

    public var description: String {
        switch self {
        case let .invalidThreadCount(count):
            return "a thread pool needs at least 1 thread, got \(count); pass 1 or more (e.g. the number of cores)"
        case let .threadCreationFailed(code):
            return "could not start a worker thread (pthread_create error \(code)); try fewer threads"
        }
    }
}

/// A pool of long-lived worker threads with a fork/join that costs microseconds.
///
/// `run(tasks:_:)` publishes a job by bumping a generation counter; workers spin on it for
/// a while (so back-to-back ops in a forward pass hand off in microseconds) and then park
/// on a condition variable (so an idle server does not burn CPU). Tasks are claimed from
/// an atomic counter, so uneven tasks balance themselves. The calling thread works too:
/// a pool of `threadCount` threads starts `threadCount − 1` workers.
public final class ThreadPool: @unchecked Sendable {
    /// Threads that execute a job, counting the caller of `run`.
    public let threadCount: Int
    private let state: ThreadPoolState
    private var workers: [pthread_t] = []

    /// The number of online CPUs (at least 1).
    public static var onlineProcessorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Starts `threadCount − 1` workers.
    /// - Parameters:
    ///   - threadCount: threads per job including the caller; 1 runs everything inline.
    ///   - spinIterations: polls of the job counter a worker makes before it parks
    ///     (a few nanoseconds each).
    public init(threadCount: Int, spinIterations: Int = 50_000) throws(ThreadPoolError) {
        guard threadCount >= 1 else { throw .invalidThreadCount(threadCount) }
        self.threadCount = threadCount
        state = ThreadPoolState(workerCount: threadCount - 1, spinIterations: max(0, spinIterations))
        for _ in 1..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(state).toOpaque()
            let result = pthread_create(&thread, nil, { raw in
                let state = Unmanaged<ThreadPoolState>.fromOpaque(raw!).takeRetainedValue()
                state.workerLoop()
                return nil
            }, context)
            guard result == 0 else {
                Unmanaged<ThreadPoolState>.fromOpaque(context).release()
                shutDown()
                throw .threadCreationFailed(errno: result)
            }
            workers.append(thread)
        }
    }

    deinit { shutDown() }

    /// Calls `body(taskIndex)` once for every index in `0..<tasks`, spread over the pool's
    /// threads, and returns when all calls have finished.
    ///
    /// `body` runs concurrently for different indices, so it must only write memory that
    /// belongs to its index. A call made while the pool is busy (from inside a body, or
    /// from a second thread) runs its tasks inline on the calling thread instead of waiting.
    public func run(tasks: Int, _ body: (Int) -> Void) {
        guard tasks > 0 else { return }
        guard tasks > 1, !workers.isEmpty, state.tryAcquire() else {
            for index in 0..<tasks { body(index) }
            return
        }
        withoutActuallyEscaping(body) { job in
            state.execute(tasks: tasks, job)
        }
        state.release()
    }

    private func shutDown() {
        state.stopWorkers()
        for thread in workers { pthread_join(thread, nil) }
        workers.removeAll()
    }
}

/// The shared state between the pool's owner and its workers.
final class ThreadPoolState: @unchecked Sendable {
    let workerCount: Int
    let spinIterations: Int
    /// Bumped once per job (and once to stop); workers wait for it to change.
    let generation = Atomic<UInt64>(0)
    let taskCount = Atomic<Int>(0)
    let nextTask = Atomic<Int>(0)
    let finishedWorkers = Atomic<Int>(0)
    let sleepingWorkers = Atomic<Int>(0)
    let busy = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    /// Written only by the owner before bumping `generation`, read by workers after seeing it.
    var job: ((Int) -> Void)?
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(workerCount: Int, spinIterations: Int) {
        self.workerCount = workerCount
        self.spinIterations = spinIterations
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    /// Publishes a job, works on it, and waits until every worker has finished it.
    func execute(tasks: Int, _ body: @escaping (Int) -> Void) {
        job = body
        taskCount.store(tasks, ordering: .relaxed)
        nextTask.store(0, ordering: .relaxed)
        finishedWorkers.store(0, ordering: .relaxed)
        publish()
        work(body)
        var spins = 0
        while finishedWorkers.load(ordering: .acquiring) < workerCount {
            spins += 1
            yieldNowAndThen(spins)
        }
        job = nil
    }

    func stopWorkers() {
        stopping.store(true, ordering: .relaxed)
        publish()
    }

    /// Bumps the generation and wakes parked workers. Both sides use sequentially
    /// consistent operations: a worker that counted itself asleep re-reads the generation
    /// under the mutex, so either it sees the new job or we see it asleep and signal it.
    private func publish() {
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if sleepingWorkers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
    }

    private func work(_ body: (Int) -> Void) {
        let count = taskCount.load(ordering: .relaxed)
        while true {
            let index = nextTask.wrappingAdd(1, ordering: .relaxed).oldValue
            if index >= count { return }
            body(index)
        }
    }

    func workerLoop() {
        var seen: UInt64 = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                if spins < spinIterations {
                    spins += 1
                    yieldNowAndThen(spins)
                } else {
                    park(seen: seen)
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if stopping.load(ordering: .relaxed) { return }
            if let body = job { work(body) }
            finishedWorkers.wrappingAdd(1, ordering: .releasing)
        }
    }

    private func park(seen: UInt64) {
        pthread_mutex_lock(mutex)
        sleepingWorkers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(condition, mutex)
        }
        sleepingWorkers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }
}

/// Gives the core away every 256 polls of a spin-wait.
///
/// With more runnable threads than cores (several pools, or other processes), a pure spin
/// can hold the core the awaited thread needs; yielding now and then bounds that stall.
/// Swift cannot emit x86 `pause` (`_mm_pause` imports but fails to link), so the polls
/// between yields are plain atomic loads.
@inline(__always)
func yieldNowAndThen(_ spins: Int) {
    if spins & 255 == 0 { sched_yield() }
}
