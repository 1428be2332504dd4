/// A counting semaphore for tasks: at most `limit` holders at once, waiters served in order
/// (vLLM's `--max-concurrency`).
actor ConcurrencyLimiter {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// A limiter letting `limit` holders in at once.
    init(limit: Int) { available = limit }

    /// Waits for a free place and takes it.
    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a place back, to the longest waiter if there is one.
    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
