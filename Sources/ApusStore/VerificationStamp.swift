import Foundation

/// A record that a model file once hashed to its catalog SHA-256, stored beside it.
///
/// Hashing a 1 GB model takes seconds, so `apus list` and repeated pulls trust the stamp
/// while the file's size and modification time are unchanged. Any edit, truncation or
/// replacement changes one of them and forces a fresh hash.
struct VerificationStamp: Equatable {
    let sha256: String
    let size: Int64
    /// Modification time in seconds since 1970; a Double prints and parses back exactly.
    let modificationTime: Double

    /// The stamp path for a model file: `<model>.sha256`.
    static func path(for modelPath: String) -> String { modelPath + ".sha256" }

    /// The size and modification time of the file at `path`, or nil if it is not a regular file.
    static func fingerprint(of path: String) -> (size: Int64, modificationTime: Double)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.type] as? FileAttributeType) == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.int64Value,
              let date = attributes[.modificationDate] as? Date else { return nil }
        return (size, date.timeIntervalSince1970)
    }

    /// Whether the stamp beside `modelPath` says the file, as it is now, hashes to `sha256`.
    static func isValid(for modelPath: String, expectedSHA256 sha256: String) -> Bool {
        guard let stamp = read(for: modelPath), stamp.sha256 == sha256,
              let now = fingerprint(of: modelPath) else { return false }
        return stamp.size == now.size && stamp.modificationTime == now.modificationTime
    }

    /// Writes a stamp for the file at `modelPath` as it is now.
    static func write(for modelPath: String, sha256: String) throws {
        guard let now = fingerprint(of: modelPath) else {
            throw StoreError.fileSystem(operation: "stat", path: modelPath, reason: "the file vanished")
        }
        let stamp = VerificationStamp(sha256: sha256, size: now.size, modificationTime: now.modificationTime)
        let text = "sha256=\(stamp.sha256) size=\(stamp.size) mtime=\(stamp.modificationTime)\n"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path(for: modelPath)), options: .atomic)
        } catch {
            throw StoreError.fileSystem(operation: "write", path: path(for: modelPath), reason: StoreError.reason(error))
        }
    }

    /// Removes the stamp, e.g. before replacing the model it describes.
    static func remove(for modelPath: String) {
        try? FileManager.default.removeItem(atPath: path(for: modelPath))
    }

    /// Parses the stamp beside `modelPath`; nil if missing or malformed.
    static func read(for modelPath: String) -> VerificationStamp? {
        guard let data = FileManager.default.contents(atPath: path(for: modelPath)) else { return nil }
        var fields: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard let sha256 = fields["sha256"], let size = fields["size"].flatMap({ Int64($0) }),
              let time = fields["mtime"].flatMap({ Double($0) }) else { return nil }
        return VerificationStamp(sha256: sha256, size: size, modificationTime: time)
    }
}
