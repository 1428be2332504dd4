import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls Foundation does not offer in the form a safe pull needs.
enum FileSystemCalls {
    /// Bytes available to an unprivileged user on the file system holding `path`, nil if unknown.
    static func availableBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Renames `source` over `destination` in one step, so readers see the old or the new
    /// file and never a half-written one (FileManager's move refuses an existing destination).
    static func replace(_ destination: String, with source: String) throws {
        guard rename(source, destination) == 0 else {
            throw StoreError.fileSystem(operation: "move \(source) to", path: destination,
                                        reason: String(cString: strerror(errno)))
        }
    }

    /// An exclusive advisory lock held until `release()`; the kernel drops it if we die,
    /// so a killed pull never leaves a stale lock behind.
    struct Lock {
        private let descriptor: Int32

        /// Takes the lock on `path` (created if needed) or returns nil if another process holds it.
        static func acquire(_ path: String) throws -> Lock? {
            let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
            guard descriptor >= 0 else {
                throw StoreError.fileSystem(operation: "create the lock file", path: path,
                                            reason: String(cString: strerror(errno)))
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                return nil
            }
            return Lock(descriptor: descriptor)
        }

        /// Releases the lock.
        func release() {
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }
}
