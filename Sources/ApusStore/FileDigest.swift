import Crypto
import Foundation

/// Streaming SHA-256 of a file on disk, for models that were not verified by this store yet.
enum FileDigest {
    /// The hex SHA-256 of the file at `path`, read in chunks so memory stays flat.
    static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.fileSystem(operation: "read", path: path, reason: "the file cannot be opened")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: PartAssembler.chunkSize)
            } catch {
                throw StoreError.fileSystem(operation: "read", path: path, reason: StoreError.reason(error))
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return PartAssembler.hex(hasher.finalize())
    }
}
