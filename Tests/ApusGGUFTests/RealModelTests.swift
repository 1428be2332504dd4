import ApusCore
import ApusGGUF
import ApusTestSupport
import Foundation
import Testing

/// Compares our reader with the `gguf` Python package's view of the real models
/// (fixtures from scripts/make-gguf-fixtures.py).
@Suite struct RealModelTests {
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    struct Fixture: Decodable {
        struct Tensor: Decodable { let name: String; let type: UInt32; let shape: [Int]; let offset: Int; let bytes: Int }
        let model: String
        let data_offset: Int
        let array_lengths: [String: Int]
        let tensors: [Tensor]
    }

    static let models = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]

    @Test(arguments: models)
    func matchesReferenceReader(model: String) throws {
        let fixtureURL = Self.fixtureDirectory.appendingPathComponent("\(model).json")
        guard FileManager.default.fileExists(atPath: fixtureURL.path) else { return }  // no fixture for this model
        guard let path = try TestModels.path(model) else { return }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL))
        let file = try GGUFFile(path: path)
        #expect(file.header.dataOffset == fixture.data_offset)
        #expect(file.tensors.count == fixture.tensors.count)
        for (ours, theirs) in zip(file.tensors, fixture.tensors) {
            #expect(ours.name == theirs.name)
            #expect(ours.type.rawValue == theirs.type, "\(ours.name)")
            // gguf-py reports shapes innermost first, as we do.
            #expect(ours.shape == theirs.shape, "\(ours.name)")
            #expect(ours.offset == theirs.offset && ours.byteCount == theirs.bytes, "\(ours.name)")
        }
        for (key, length) in fixture.array_lengths {
            #expect(file.metadata.array(key)?.count == length, "\(key)")
        }
        let hyper = try ModelHyperparameters(metadata: file.metadata)
        #expect(hyper.blockCount > 0 && hyper.vocabularySize > 1000)
    }

    @Test func smollmHyperparameters() throws {
        guard let path = try TestModels.path("smollm2-135m") else { return }
        let hyper = try ModelHyperparameters(metadata: GGUFFile(path: path).metadata)
        #expect(hyper.architecture == "llama")
        #expect(hyper.embeddingLength == 576 && hyper.blockCount == 30 && hyper.feedForwardLength == 1536)
        #expect(hyper.headCount == 9 && hyper.headCountKV == 3 && hyper.keyLength == 64)
        #expect(hyper.ropeFrequencyBase == 100_000 && hyper.vocabularySize == 49152)
        #expect(hyper.slidingWindow == nil)
    }

    @Test func gemmaHyperparameters() throws {
        guard let path = try TestModels.path("gemma3-270m") else { return }
        let hyper = try ModelHyperparameters(metadata: GGUFFile(path: path).metadata)
        #expect(hyper.architecture == "gemma3" && hyper.keyLength == 256 && hyper.headCountKV == 1)
        #expect(hyper.slidingWindow == 512 && hyper.blockCount == 18)
    }
}
