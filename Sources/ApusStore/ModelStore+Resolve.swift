import Foundation

extension ModelStore {
    /// The model file meant by a command-line argument: a catalog name or a path.
    ///
    /// A catalog name resolves to its pulled file (and fails with the `apus pull` command to
    /// run if it is absent). Anything else is a path — `~` expanded, relative to the current
    /// directory — that must be an existing regular file starting with the GGUF magic.
    public func resolve(_ nameOrPath: String) throws -> URL {
        if let entry = entry(named: nameOrPath) {
            let path = path(for: entry)
            guard VerificationStamp.fingerprint(of: path.path) != nil else {
                throw StoreError.notPulled(name: entry.name, expectedPath: path.path)
            }
            return path
        }
        let url = ModelsDirectory.url(forUserPath: nameOrPath)
        var isDirectory: ObjCBool = false
        guard !nameOrPath.isEmpty, FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            // A bare word that is not a file was most likely meant as a model name.
            if !nameOrPath.contains("/") && !nameOrPath.hasSuffix(".gguf") {
                throw StoreError.unknownModel(nameOrPath, known: catalog.map(\.name))
            }
            throw StoreError.fileNotFound(url.path)
        }
        guard !isDirectory.boolValue else {
            throw StoreError.notGGUF(path: url.path, reason: "it is a directory")
        }
        try checkMagic(of: url)
        return url
    }

    /// GGUF files start with the four bytes "GGUF"; checking them turns "wrong file" into a
    /// clear message here instead of a parse error later.
    private func checkMagic(of url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw StoreError.notGGUF(path: url.path, reason: "it cannot be opened for reading")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? nil
        guard let head, head.count == 4 else {
            throw StoreError.notGGUF(path: url.path, reason: "it is shorter than a GGUF header")
        }
        guard Array(head) == Array("GGUF".utf8) else {
            let shown = head.map { (32..<127).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
            throw StoreError.notGGUF(path: url.path, reason: "it starts with \"\(shown)\", not the GGUF magic")
        }
    }
}
