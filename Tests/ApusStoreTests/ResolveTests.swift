import ApusStore
import Foundation
import Testing

@Suite("Resolve")
struct ResolveTests {
    /// A models directory with one pulled-looking catalog model, plus loose files to point at.
    private struct Sandbox {
        let root: URL
        let store: ModelStore

        init() throws {
            root = FileManager.default.temporaryDirectory
                .appendingPathComponent("apus-resolve-\(UUID().uuidString)", isDirectory: true)
            let models = root.appendingPathComponent("models", isDirectory: true)
            try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
            let entries = [
                CatalogEntry(name: "here", description: "pulled", parts: [], sha256: String(repeating: "0", count: 64), size: 8),
                CatalogEntry(name: "missing", description: "not pulled", parts: [], sha256: String(repeating: "1", count: 64), size: 8),
            ]
            store = ModelStore(directory: models, catalog: entries, index: .localWheels(in: root.path))
            try Data("GGUF\u{3}\0\0\0".utf8).write(to: models.appendingPathComponent("here.gguf"))
        }

        func file(_ name: String, _ contents: String) throws -> URL {
            let url = root.appendingPathComponent(name)
            try Data(contents.utf8).write(to: url)
            return url
        }
    }

    @Test("a pulled catalog name resolves to <dir>/<name>.gguf")
    func pulledName() throws {
        let sandbox = try Sandbox()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        #expect(try sandbox.store.resolve("here") == sandbox.store.directory.appendingPathComponent("here.gguf"))
    }

    @Test("a catalog name that was not pulled says which pull command to run")
    func unpulledName() throws {
        let sandbox = try Sandbox()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let error = #expect(throws: StoreError.self) { try sandbox.store.resolve("missing") }
        guard case .notPulled(name: "missing", _) = error else {
            Issue.record("expected not pulled, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("apus pull missing") == true)
    }

    @Test("a path to a GGUF file resolves to that file, whatever its extension")
    func ggufPath() throws {
        let sandbox = try Sandbox()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let file = try sandbox.file("model.bin", "GGUF\u{3}\0\0\0rest")
        #expect(try sandbox.store.resolve(file.path) == file.standardizedFileURL)
    }

    @Test("bad paths and unknown names fail with the matching error", arguments: [
        ("no-such-file.gguf", "fileNotFound"),
        ("/definitely/not/here", "fileNotFound"),
        ("llama-7b", "unknownModel"),
        ("", "unknownModel"),
    ])
    func badArguments(argument: String, expected: String) throws {
        let sandbox = try Sandbox()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let error = #expect(throws: StoreError.self) { try sandbox.store.resolve(argument) }
        switch error {
        case .fileNotFound?: #expect(expected == "fileNotFound")
        case let .unknownModel(name, known)?:
            #expect(expected == "unknownModel" && name == argument && known == ["here", "missing"])
        default: Issue.record("unexpected \(String(describing: error)) for '\(argument)'")
        }
    }

    @Test("a directory, a text file and an empty file are not GGUF")
    func notGGUF() throws {
        let sandbox = try Sandbox()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let text = try sandbox.file("notes.gguf", "hello world")
        let empty = try sandbox.file("empty.gguf", "")
        for path in [sandbox.root.path, text.path, empty.path] {
            let error = #expect(throws: StoreError.self) { try sandbox.store.resolve(path) }
            guard case .notGGUF = error else {
                Issue.record("expected notGGUF for \(path), got \(String(describing: error))")
                continue
            }
        }
    }
}
