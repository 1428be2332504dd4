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

/// A pool of long-lived worker threads with a fork/join that costs microseconds and that
/// never waits for a worker that is not running.
///
/// `run(tasks:_:)` publishes a job; its tasks are claimed one at a time from a shared
/// counter by whichever threads are running — the caller included — so a worker the
/// operating system has descheduled simply claims nothing, and the others (at worst the
/// caller alone) do its share. The call returns when every task has *finished*, not when
/// every worker has checked in: the only thread it can wait for is one that holds a task it
/// claimed. Callers cut their work into many small tasks (MatMul: at least eight per
/// thread), so that wait is short. Idle workers spin briefly (back-to-back operations in a
/// forward pass hand off in microseconds), then yield, then park on a condition variable;
/// a caller waiting for a task another thread holds polls and then parks, so a busy
/// machine gets its cores back quickly. The caller never yields: with another process busy
/// on its core, one yield hands that process a whole scheduler slice while the job waits. A pool of `threadCount` threads starts
/// `threadCount − 1` workers.
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
    ///   - spinIterations: polls an idle worker makes before it parks (a few nanoseconds
    ///     each; it yields its core every 256 polls on the way); the caller, waiting for
    ///     others' tasks, polls for the same budget as a time (5 ns a spin) and never yields.
    public init(threadCount: Int, spinIterations: Int = 20_000) throws(ThreadPoolError) {
        guard threadCount >= 1 else { throw .invalidThreadCount(threadCount) }
        self.threadCount = threadCount
        state = ThreadPoolState(spinIterations: max(0, spinIterations))
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
            var job = job
            withUnsafePointer(to: &job) { state.execute(tasks: tasks, UnsafeRawPointer($0)) }
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
///
/// A job is one 64-bit word, `claims`: its generation (24 bits), its number of claims
/// (20 bits) and the next claim (20 bits). Threads take a claim with a compare-and-swap
/// that also checks the generation, so a worker that wakes up late can never take a claim
/// of a later job; the job's closure is read only after a successful claim, while the
/// caller is bound to wait for that claim to finish. A claim is one task, or a run of
/// consecutive tasks when a job has more tasks than the 20-bit field counts.
final class ThreadPoolState: @unchecked Sendable {
    static let claimBits: UInt64 = 20
    static let claimMask: UInt64 = (1 << claimBits) - 1
    static let maxClaims = Int(claimMask)

    let spinIterations: Int
    /// How long, in nanoseconds, the caller polls for other threads' claims to finish before
    /// it parks: the workers' spin budget at about 5 ns a spin (100 µs by default).
    let callerPatience: UInt64
    let claims = Atomic<UInt64>(0)
    let finishedClaims = Atomic<Int>(0)
    let sleepingWorkers = Atomic<Int>(0)
    let callerSleeping = Atomic<Bool>(false)
    let busy = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    /// The job's closure (a pointer to the caller's copy), its task count and tasks per
    /// claim: written by the caller before it publishes `claims`, read after a claim.
    var job: UnsafeRawPointer?
    var taskCount = 0
    var tasksPerClaim = 1
    private var generation: UInt64 = 0
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let workerCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    let callerCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(spinIterations: Int) {
        self.spinIterations = spinIterations
        callerPatience = UInt64(spinIterations) * 5
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workerCondition, nil)
        pthread_cond_init(callerCondition, nil)
    }

    deinit {
        pthread_cond_destroy(workerCondition)
        pthread_cond_destroy(callerCondition)
        pthread_mutex_destroy(mutex)
        workerCondition.deallocate()
        callerCondition.deallocate()
        mutex.deallocate()
    }

    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    @inline(__always)
    static func generation(of word: UInt64) -> UInt64 { word >> (2 * claimBits) }

    /// Publishes a job (`job` points to a `(Int) -> Void`), works on it, and waits until
    /// every claim has finished.
    func execute(tasks: Int, _ job: UnsafeRawPointer) {
        let perClaim = (tasks + Self.maxClaims - 1) / Self.maxClaims
        let claimCount = (tasks + perClaim - 1) / perClaim
        self.job = job
        taskCount = tasks
        tasksPerClaim = perClaim
        finishedClaims.store(0, ordering: .relaxed)
        generation = (generation + 1) & ((1 << 24) - 1)
        publish(generation << (2 * Self.claimBits) | UInt64(claimCount) << Self.claimBits)
        claimAndRun(generation: generation)
        waitForClaims(claimCount)
        self.job = nil
    }

    func stopWorkers() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation = (generation + 1) & ((1 << 24) - 1)
        publish(generation << (2 * Self.claimBits))
    }

    /// Stores the job word and wakes parked workers. Both sides use sequentially consistent
    /// operations: a worker that counted itself asleep re-reads the word under the mutex,
    /// so either it sees the new job or we see it asleep and signal it.
    private func publish(_ word: UInt64) {
        claims.store(word, ordering: .sequentiallyConsistent)
        if sleepingWorkers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(workerCondition)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Takes claims of job `generation` until none is left (or a later job replaced it).
    private func claimAndRun(generation: UInt64) {
        var word = claims.load(ordering: .acquiring)
        while Self.generation(of: word) == generation {
            let next = word & Self.claimMask, count = (word >> Self.claimBits) & Self.claimMask
            guard next < count else { return }
            let (exchanged, original) = claims.compareExchange(expected: word, desired: word + 1,
                                                               ordering: .acquiringAndReleasing)
            guard exchanged else {
                word = original
                continue
            }
            runClaim(Int(next))
            if finishedClaims.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue == Int(count),
               callerSleeping.load(ordering: .sequentiallyConsistent) {
                pthread_mutex_lock(mutex)
                pthread_cond_signal(callerCondition)
                pthread_mutex_unlock(mutex)
            }
            word = claims.load(ordering: .acquiring)
        }
    }

    /// Runs the tasks of claim `claim`. Not inlined, so that the closure copy it takes is
    /// released before the claim is counted finished (the caller's `withoutActuallyEscaping`
    /// checks that no copy outlives the call).
    @inline(never)
    private func runClaim(_ claim: Int) {
        let body = job!.assumingMemoryBound(to: ((Int) -> Void).self)
        let first = claim * tasksPerClaim
        for index in first..<min(taskCount, first + tasksPerClaim) { body.pointee(index) }
    }

    /// The caller's wait for the claims other threads hold: poll while they progress, and
    /// park once no claim has finished for `callerPatience` nanoseconds (a stalled claim
    /// usually means a descheduled worker, which needs a core). The patience is a time, not a
    /// poll count: a poll takes a few nanoseconds, so counted polls would park within
    /// microseconds, before an ordinary claim of a matrix product has finished, and pay a
    /// wake-up on every operation. No yields: with another process runnable on this core,
    /// one yield hands it a whole scheduler slice (on a two-core machine with two busy
    /// processes, dropping them took qwen2.5-coder-0.5b's generation from 13 to 23 tokens/s).
    private func waitForClaims(_ count: Int) {
        var finished = finishedClaims.load(ordering: .acquiring)
        guard finished < count else { return }
        var lastProgress = monotonicNanoseconds()
        var polls = 0
        while finished < count {
            polls &+= 1
            // The clock is read every 64 polls, which keeps its cost out of short waits.
            if polls & 63 == 0, monotonicNanoseconds() &- lastProgress > callerPatience {
                pthread_mutex_lock(mutex)
                callerSleeping.store(true, ordering: .sequentiallyConsistent)
                while finishedClaims.load(ordering: .sequentiallyConsistent) < count {
                    pthread_cond_wait(callerCondition, mutex)
                }
                callerSleeping.store(false, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
                return
            }
            let now = finishedClaims.load(ordering: .acquiring)
            if now != finished {
                finished = now
                lastProgress = monotonicNanoseconds()
            }
        }
    }

    func workerLoop() {
        // Generation 0 is the pool's start: a worker that starts late still sees every job
        // (a finished one leaves no claims) and the stop, even if they came before it ran.
        var seen: UInt64 = 0
        while true {
            var spins = 0
            var current = Self.generation(of: claims.load(ordering: .acquiring))
            while current == seen {
                if spins < spinIterations {
                    spins += 1
                    yieldNowAndThen(spins)
                } else {
                    park(seen: seen)
                }
                current = Self.generation(of: claims.load(ordering: .acquiring))
            }
            seen = current
            if stopping.load(ordering: .sequentiallyConsistent) { return }
            claimAndRun(generation: seen)
        }
    }

    private func park(seen: UInt64) {
        pthread_mutex_lock(mutex)
        sleepingWorkers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while Self.generation(of: claims.load(ordering: .sequentiallyConsistent)) == seen {
            pthread_cond_wait(workerCondition, mutex)
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

/// Nanoseconds on the monotonic clock (a vDSO call, tens of nanoseconds).
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}
