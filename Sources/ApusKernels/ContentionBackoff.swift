/// When a thread pool should stop sharing jobs with its workers for a while, because the
/// machine is busy.
///
/// On a machine with other CPU-bound processes, a worker is descheduled for a whole
/// scheduler slice (milliseconds) at moments of the scheduler's choosing, and sometimes in
/// the middle of a task it claimed: the caller, done with everything else, can only wait for
/// that task. One such stall costs more than running a few hundred small jobs on the caller
/// alone, so after a stall the pool runs jobs inline for a penalty period, then shares again.
/// Stalls that come back soon after a penalty ends double it (up to `maximumPenalty`), so a
/// steadily busy machine is probed rarely; a stall long after the last one starts again
/// from `minimumPenalty`. On a quiet machine stalls do not happen and the pool always shares.
///
/// Times are nanoseconds on any monotonic clock; the caller passes them in, so the policy
/// itself never reads a clock (and tests can drive it).
public struct ContentionBackoff: Sendable {
    /// The first penalty after a stall.
    public let minimumPenalty: UInt64
    /// The longest penalty.
    public let maximumPenalty: UInt64
    /// Until when jobs run on the caller alone.
    public private(set) var aloneUntil: UInt64 = 0
    /// The current penalty (0 before the first stall).
    public private(set) var penalty: UInt64 = 0
    private var lastStall: UInt64?

    /// A policy with penalties between `minimumPenalty` and `maximumPenalty` nanoseconds.
    public init(minimumPenalty: UInt64 = 2_000_000, maximumPenalty: UInt64 = 64_000_000) {
        self.minimumPenalty = max(1, minimumPenalty)
        self.maximumPenalty = max(self.minimumPenalty, maximumPenalty)
    }

    /// Whether a job that starts at `now` should run on the caller alone.
    @inline(__always)
    public func runsAlone(at now: UInt64) -> Bool { now < aloneUntil }

    /// Records that a shared job ending at `now` waited on a stalled task.
    public mutating func recordStall(at now: UInt64) {
        // A stall within two penalties of the previous penalty's end means the load is still
        // there: probe half as often. Otherwise the load is new: start small.
        if let last = lastStall, penalty > 0, now &- last <= 3 * penalty {
            penalty = min(maximumPenalty, penalty * 2)
        } else {
            penalty = minimumPenalty
        }
        lastStall = now
        aloneUntil = now &+ penalty
    }

    /// Whether a shared job stalled: the caller, done with its own tasks, waited `waited`
    /// nanoseconds for the others' — far longer than its own tasks took each
    /// (`perTask`), which on a quiet machine bounds that wait.
    @inline(__always)
    public static func isStall(waited: UInt64, perTask: UInt64) -> Bool {
        waited > 4 * perTask + 50_000
    }
}
