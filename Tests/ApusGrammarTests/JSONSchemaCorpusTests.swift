import ApusGrammar
import Foundation
import Testing

/// The schema corpus (Fixtures/schemas.json): every schema compiles, and random walks over
/// allowed tokens always end in JSON that validates.
@Suite struct JSONSchemaCorpusTests {
    struct Entry {
        let name: String
        let schema: JSONValue
        let text: String
    }

    static func corpus() throws -> [Entry] {
        let url = Bundle.module.url(forResource: "schemas", withExtension: "json", subdirectory: "Fixtures")!
        let text = try String(contentsOf: url, encoding: .utf8)
        guard case .array(let items) = try JSONValue.parse(text) else { return [] }
        return items.map { item in
            guard case .string(let name)? = item["name"], let schema = item["schema"] else { fatalError("bad corpus entry") }
            return Entry(name: name, schema: schema, text: schema.serialized)
        }
    }

    @Test func corpusHasAtLeastThirtySchemasAndAllCompile() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= 30)
        let compiler = TestVocabulary.compiler()
        for entry in corpus {
            #expect(throws: Never.self, "\(entry.name)") { _ = try compiler.compile(.jsonSchema(entry.text)) }
        }
    }

    @Test func randomWalksProduceValidJSON() throws {
        let corpus = try Self.corpus()
        let compiler = TestVocabulary.compiler()
        var samples: [[String: Any]] = []
        for entry in corpus {
            let grammar = try compiler.compile(.jsonSchema(entry.text))
            var outputs: [String] = []
            for seed in UInt64(1)...5 {
                let walk = RandomWalk(grammar, seed: seed, freeSteps: 40, checkMask: seed <= 2)
                let text = String(decoding: walk.output, as: UTF8.self)
                #expect(walk.completed, "\(entry.name) seed \(seed) incomplete: \(text)")
                #expect(walk.mismatches.isEmpty, "\(entry.name) seed \(seed) mask mismatches: \(walk.mismatches.prefix(3))")
                guard walk.completed else { continue }
                #expect((try? JSONSerialization.jsonObject(with: Data(walk.output), options: .fragmentsAllowed)) != nil,
                        "\(entry.name): JSONSerialization rejects \(text.debugDescription)")
                let problems = (try? JSONValue.parse(text)).map { SchemaValidator(document: entry.schema).errors($0) } ?? ["unparsable"]
                #expect(problems.isEmpty, "\(entry.name): \(text) → \(problems)")
                outputs.append(text)
            }
            samples.append(["name": entry.name, "schema": try JSONSerialization.jsonObject(with: Data(entry.text.utf8), options: .fragmentsAllowed), "outputs": outputs])
        }
        try Self.validateWithPython(samples)
    }

    /// Runs scripts/validate-json-samples.py when Python's `jsonschema` is installed
    /// (required in CI).
    static func validateWithPython(_ samples: [[String: Any]]) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import jsonschema"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("python3 jsonschema missing: pip install jsonschema") }
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apus-grammar-samples-\(getpid()).json")
        try JSONSerialization.data(withJSONObject: samples).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", root.appendingPathComponent("scripts/validate-json-samples.py").path, file.path]
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "jsonschema: \(output)")
    }
}
