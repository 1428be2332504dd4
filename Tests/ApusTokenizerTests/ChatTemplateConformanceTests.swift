import ApusTestSupport
import ApusTokenizer
import Foundation
import Testing

/// Renders real chat templates and compares with Python jinja2 under Hugging Face's settings
/// (fixtures from scripts/make-template-fixtures.py).
@Suite struct ChatTemplateConformanceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/templates")

    struct Conversation {
        let name: String
        let messages: [ChatValue]
        let tools: [ChatValue]?
        let addGenerationPrompt: Bool
    }

    struct Setup {
        let conversations: [Conversation]
        let bosToken: String
        let eosToken: String
        let now: Date
    }

    static func loadSetup() throws -> Setup {
        let text = try String(contentsOf: fixtures.appendingPathComponent("conversations.json"), encoding: .utf8)
        let root = try ChatValue(json: text)
        guard case .array(let items)? = root["conversations"], case .string(let bos)? = root["bos_token"],
              case .string(let eos)? = root["eos_token"]
        else { throw FixtureError(description: "conversations.json is malformed") }
        let conversations = items.compactMap { item -> Conversation? in
            guard case .string(let name)? = item["name"], case .array(let messages)? = item["messages"],
                  case .bool(let prompt)? = item["add_generation_prompt"] else { return nil }
            var tools: [ChatValue]?
            if case .array(let list)? = item["tools"] { tools = list }
            return Conversation(name: name, messages: messages, tools: tools, addGenerationPrompt: prompt)
        }
        // The script renders with datetime(2026, 1, 15, 9, 30), a local time.
        let now = Calendar(identifier: .gregorian).date(from: DateComponents(year: 2026, month: 1, day: 15, hour: 9, minute: 30))!
        return Setup(conversations: conversations, bosToken: bos, eosToken: eos, now: now)
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String }

    /// How one template did: conversations matched, and why the others did not.
    struct Outcome {
        var passed = 0
        var total = 0
        var problems: [String] = []
        var wrongOutputs = 0
    }

    static func check(source: String, expectedFile: URL, setup: Setup) throws -> Outcome {
        let expected = try ChatValue(json: String(contentsOf: expectedFile, encoding: .utf8))
        var outcome = Outcome()
        let template: ChatTemplate
        do {
            template = try ChatTemplate(source)
        } catch {
            outcome.total = setup.conversations.count
            for conversation in setup.conversations where expected[conversation.name]?["error"] != nil {
                outcome.passed += 1
            }
            if outcome.passed < outcome.total { outcome.problems.append("compile: \(error)") }
            return outcome
        }
        for conversation in setup.conversations {
            guard let want = expected[conversation.name] else { continue }
            outcome.total += 1
            do {
                let got = try template.render(messages: conversation.messages, addGenerationPrompt: conversation.addGenerationPrompt,
                                              tools: conversation.tools, bosToken: setup.bosToken, eosToken: setup.eosToken,
                                              now: setup.now)
                if case .string(let text)? = want["output"], text == got {
                    outcome.passed += 1
                } else {
                    outcome.wrongOutputs += 1
                    var reason = want["error"].map { "jinja2 raised \($0)" } ?? "output differs"
                    if case .string(let text)? = want["output"] { reason += ": " + Self.firstDifference(text, got) }
                    outcome.problems.append("\(conversation.name): \(reason)")
                }
            } catch {
                if want["error"] != nil {
                    outcome.passed += 1
                } else {
                    outcome.problems.append("\(conversation.name): \(error)")
                }
            }
        }
        return outcome
    }

    /// A short excerpt of both texts from where they first differ, for the failure report.
    static func firstDifference(_ expected: String, _ got: String) -> String {
        let a = Array(expected.unicodeScalars), b = Array(got.unicodeScalars)
        var index = 0
        while index < a.count, index < b.count, a[index] == b[index] { index += 1 }
        func excerpt(_ scalars: [Unicode.Scalar]) -> String {
            let start = max(0, index - 20)
            return String(String.UnicodeScalarView(scalars[start..<min(scalars.count, index + 40)])).debugDescription
        }
        return "at \(index) want \(excerpt(a)) got \(excerpt(b))"
    }

    @Test func ourModelsRenderExactly() throws {
        let setup = try Self.loadSetup()
        let models = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("models").path)
            .filter { $0.hasSuffix(".jinja") }.sorted()
        #expect(models.count >= 2)
        for file in models {
            let name = String(file.dropLast(".jinja".count))
            let source = try String(contentsOf: Self.fixtures.appendingPathComponent("models/\(file)"), encoding: .utf8)
            let outcome = try Self.check(source: source,
                                         expectedFile: Self.fixtures.appendingPathComponent("expected/model-\(name).json"),
                                         setup: setup)
            #expect(outcome.total == setup.conversations.count)
            #expect(outcome.passed == outcome.total, "\(name): \(outcome.problems)")
        }
    }

    @Test func llamaCppTemplatesRenderLikeJinja2() throws {
        guard let models = try TestModels.llamaCppModels() else { return }
        let setup = try Self.loadSetup()
        let directory = URL(fileURLWithPath: models).appendingPathComponent("templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".jinja") }.sorted()
        var identical = 0
        var wrongOutputs = 0
        var report: [String] = []
        for file in files {
            let name = String(file.dropLast(".jinja".count))
            let expectedFile = Self.fixtures.appendingPathComponent("expected/\(name).json")
            guard FileManager.default.fileExists(atPath: expectedFile.path) else {
                Issue.record("no fixture for \(file): rerun scripts/make-template-fixtures.py")
                continue
            }
            let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let outcome = try Self.check(source: source, expectedFile: expectedFile, setup: setup)
            wrongOutputs += outcome.wrongOutputs
            if outcome.passed == outcome.total { identical += 1 } else { report.append("\(name): \(outcome.problems)") }
        }
        print("chat templates identical to jinja2: \(identical)/\(files.count)")
        for line in report { print("  FAIL \(line)") }
        #expect(files.count >= 60)
        #expect(Double(identical) >= 0.9 * Double(files.count), "\(report.joined(separator: "\n"))")
    }
}
