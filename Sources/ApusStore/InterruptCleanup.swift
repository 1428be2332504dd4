import Dispatch
import Foundation

/// Removes a pull's partial files and stops its pip child when the process is interrupted.
///
/// The store registers what it creates while a pull runs; `install()` (called by the CLI,
/// never by the library on its own, so tests and servers keep their signal handling)
/// turns SIGINT and SIGTERM into "clean up, then exit".
public final class InterruptCleanup: @unchecked Sendable {
    /// The process-wide registry that pulls report to.
    public static let shared = InterruptCleanup()

    // Guards every field below: pulls register from their thread, signals arrive on a queue.
    private let lock = NSLock()
    private var paths: [String: Int] = [:]
    private var children: [ObjectIdentifier: Process] = [:]
    private var signalSources: [DispatchSourceSignal] = []

    private init() {}

    /// Installs handlers for SIGINT and SIGTERM that remove registered paths, stop pip and
    /// exit with status 128 + signal number. Calling it again does nothing.
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard signalSources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            // The default action would kill us before cleanup; the dispatch source sees it instead.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [unowned self] in self.handle(signal: signalNumber) }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Marks `path` (a file or directory) for removal if the process is interrupted.
    func register(_ path: String) {
        lock.lock()
        paths[path, default: 0] += 1
        lock.unlock()
    }

    /// Stops tracking `path` (it was renamed into place or already removed).
    func unregister(_ path: String) {
        lock.lock()
        if let count = paths[path] { paths[path] = count > 1 ? count - 1 : nil }
        lock.unlock()
    }

    /// Tracks a running child so an interrupt can terminate it.
    func register(child: Process) {
        lock.lock()
        children[ObjectIdentifier(child)] = child
        lock.unlock()
    }

    /// Stops tracking a child that has exited.
    func unregister(child: Process) {
        lock.lock()
        children[ObjectIdentifier(child)] = nil
        lock.unlock()
    }

    private func handle(signal signalNumber: Int32) {
        lock.lock()
        let running = Array(children.values)
        let leftovers = Array(paths.keys)
        lock.unlock()
        for child in running where child.isRunning {
            child.terminate()
            child.waitUntilExit()
        }
        for path in leftovers {
            try? FileManager.default.removeItem(atPath: path)
        }
        FileHandle.standardError.write(Data("\ninterrupted: removed partial downloads\n".utf8))
        exit(128 + signalNumber)
    }
}
