import Foundation

/// A one-line progress bar on standard error, in tqdm's layout
/// (` 42%|████▏     | 42/100 [00:12<00:17, 3.41it/s]`), redrawn as requests finish.
final class ProgressBar: @unchecked Sendable {
    // A lock rather than an actor: updates come from many tasks and must not await.
    private let lock = NSLock()
    private let total: Int
    private let enabled: Bool
    private let started = MonotonicClock.now()
    private var done = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
        if enabled { draw() }
    }

    /// Counts one finished request and redraws.
    func advance() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        draw()
    }

    /// Ends the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let elapsed = MonotonicClock.now() - started
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let percent = String(format: "%3d", Int(fraction * 100))
        let line = "\r\(percent)%|\(bar)| \(done)/\(total) [\(Self.clock(elapsed))<\(Self.clock(remaining)), "
            + String(format: "%.2f", rate) + "it/s]"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%02d:%02d", whole / 60, whole % 60)
    }
}
