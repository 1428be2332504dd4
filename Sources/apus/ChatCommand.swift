import ApusEngine
import ArgumentParser
import Foundation

/// `apus chat`: an interactive conversation in the terminal, reusing the KV cache of
/// earlier turns. Ctrl-C stops the current answer; `/reset` starts over; `/exit` quits.
struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chat with a model in the terminal.")

    @OptionGroup var modelOption: ModelOption
    @Option(help: "A system message for the conversation.")
    var system: String?
    @Option(help: "Chat template to use instead of the model's: `chatml` or a Jinja file.")
    var chatTemplate: String?
    @Option(name: [.customShort("n"), .customLong("n-predict")], help: "Tokens per answer at most.")
    var count = 512
    @Option(name: [.short, .customLong("ctx-size")], help: "Context length of the conversation.")
    var contextSize = 4096
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let parameters = try sampling.parameters()
        let loaded = try LoadedModel(modelOption, contextLength: contextSize, batchSize: 256)
        let prompt = ChatPrompt(template: try loaded.chatTemplate(named: chatTemplate), tokenizer: loaded.tokenizer)
        // Earlier turns stay cached: each turn's prompt starts with the previous conversation,
        // whose full blocks the engine's prefix cache still holds.
        let engine = try loaded.engine(maxSequences: 1, batchSize: 256, contextLength: contextSize)
        defer { engine.shutdown() }
        var turn = 0
        let interrupt = InterruptFlag()
        var messages: [(role: String, content: String)] = system.map { [("system", $0)] } ?? []
        FileHandle.standardError.write(Data("apus chat — /reset to start over, /exit to quit, Ctrl-C stops an answer\n".utf8))
        while true {
            FileHandle.standardOutput.write(Data("> ".utf8))
            guard let line = readLine(strippingNewline: true) else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input == "/exit" || input == "/quit" { break }
            if input == "/reset" {
                messages = system.map { [("system", $0)] } ?? []
                continue
            }
            messages.append(("user", input))
            let ids: [Int]
            do { ids = try prompt.tokens(messages) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                messages.removeLast()
                continue
            }
            interrupt.arm()
            var answer = ""
            do {
                turn += 1
                var request = GenerationRequest(id: "turn-\(turn)", prompt: ids, sampling: parameters)
                request.stop.maxTokens = count
                var finish = FinishReason.length
                try engine.run(request, shouldStop: { interrupt.isSet }) { event in
                    switch event {
                    case let .delta(_, text, _, _):
                        answer += text
                        FileHandle.standardOutput.write(Data(text.utf8))
                    case let .finished(_, reason, _): finish = reason
                    case .completed: break
                    }
                }
                if finish == .length, answer.isEmpty || ids.count + count >= engine.contextLength {
                    FileHandle.standardError.write(Data("\n[context full: /reset to continue]".utf8))
                }
                if finish == .cancelled { FileHandle.standardError.write(Data("\n[stopped]".utf8)) }
            } catch {
                FileHandle.standardError.write(Data("\nerror: \(error)\n".utf8))
            }
            interrupt.disarm()
            FileHandle.standardOutput.write(Data("\n".utf8))
            messages.append(("assistant", answer))
        }
    }
}

/// Turns Ctrl-C into a flag the generation loop polls while an answer is streaming; at
/// the prompt, Ctrl-C ends the program as usual.
final class InterruptFlag: @unchecked Sendable {
    nonisolated(unsafe) private static let flag = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)

    init() { Self.flag.pointee = 0 }

    /// Whether Ctrl-C was pressed since `arm()`.
    var isSet: Bool { Self.flag.pointee != 0 }

    /// Catches Ctrl-C until `disarm()`.
    func arm() {
        Self.flag.pointee = 0
        signal(SIGINT) { _ in InterruptFlag.flag.pointee = 1 }
    }

    /// Restores the default Ctrl-C behaviour.
    func disarm() { signal(SIGINT, SIG_DFL) }
}
