import ApusEngine
import ArgumentParser
import Foundation

/// `apus run`: generate text from a prompt, streaming it to stdout.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate text from a prompt.")

    @OptionGroup var modelOption: ModelOption
    @Option(name: [.short, .customLong("prompt")], help: "The prompt text.")
    var prompt: String?
    @Option(help: "Read the prompt from a file.")
    var promptFile: String?
    @Flag(help: "Read the prompt from standard input.")
    var stdin = false
    @Option(name: [.customShort("n"), .customLong("n-predict")], help: "Tokens to generate at most.")
    var count = 128
    @Flag(help: "Apply the model's chat template to the prompt as a user message.")
    var chat = false
    @Option(help: "With --chat: a system message.")
    var system: String?
    @Option(help: "Chat template to use instead of the model's: `chatml` or a Jinja file.")
    var chatTemplate: String?
    @Option(name: [.short, .customLong("ctx-size")], help: "Context length (prompt + generated tokens).")
    var contextSize = 4096
    @Option(name: [.short, .customLong("batch-size")], help: "Prompt tokens computed per forward pass.")
    var batchSize = 256
    @Flag(help: "Print one JSON object (ids, text, finish reason, timings) instead of streaming.")
    var json = false
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let text = try promptText()
        let parameters = try sampling.parameters()
        let loaded = try LoadedModel(modelOption, contextLength: contextSize, batchSize: batchSize)
        let ids: [Int]
        if chat || chatTemplate != nil {
            let builder = ChatPrompt(template: try loaded.chatTemplate(named: chatTemplate), tokenizer: loaded.tokenizer)
            var messages: [(role: String, content: String)] = []
            if let system { messages.append(("system", system)) }
            messages.append(("user", text))
            ids = try builder.tokens(messages)
        } else {
            ids = loaded.tokenizer.encode(text).map(Int.init)
        }
        let engine = try loaded.engine(maxSequences: 1, batchSize: batchSize, contextLength: contextSize)
        var request = GenerationRequest(id: "run", prompt: ids, sampling: parameters)
        request.stop.maxTokens = count
        var output = ""
        var generated: [Int] = []
        var result = CompletionSummary()
        let interrupt = InterruptFlag()
        interrupt.arm()
        try engine.run(request, shouldStop: { interrupt.isSet }) { event in
            switch event {
            case let .delta(_, text, tokens, _):
                generated += tokens
                if json { output += text } else { FileHandle.standardOutput.write(Data(text.utf8)) }
            case let .finished(_, reason, _): result.finish = reason
            case let .completed(usage): result.usage = usage
            }
        }
        interrupt.disarm()
        engine.shutdown()
        if json {
            try printJSON(ids: ids, tokens: generated, summary: result, text: output, loadSeconds: loaded.loadSeconds,
                          seed: parameters.seed)
        } else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            printStats(result, loadSeconds: loaded.loadSeconds, seed: parameters.seed, kernels: loaded.kernelSummary)
        }
    }

    private func promptText() throws -> String {
        let sources = [prompt != nil, promptFile != nil, stdin].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of -p PROMPT, --prompt-file FILE or --stdin") }
        if let prompt { return prompt }
        if let promptFile {
            guard let text = try? String(contentsOfFile: promptFile, encoding: .utf8) else {
                throw ValidationError("cannot read prompt file '\(promptFile)' as UTF-8 text")
            }
            return text
        }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("standard input is not UTF-8 text") }
        return text
    }

    private func printStats(_ s: CompletionSummary, loadSeconds: Double, seed: UInt64, kernels: String) {
        let prompt = s.usage.promptTokens - s.usage.cachedTokens
        let lines = [
            String(format: "load time        = %8.2f ms", loadSeconds * 1000),
            String(format: "prompt eval      = %8.2f ms / %5d tokens (%8.2f tokens per second)",
                   s.promptSeconds * 1000, prompt, s.promptSeconds > 0 ? Double(prompt) / s.promptSeconds : 0),
            String(format: "eval             = %8.2f ms / %5d tokens (%8.2f tokens per second)",
                   s.generationSeconds * 1000, s.usage.completionTokens, s.generationTokensPerSecond),
            String(format: "time to first token = %.2f ms", s.usage.timings.timeToFirstToken * 1000),
            "finish reason    = \(s.finish.rawValue), seed = \(seed)",
            "peak RSS         = \(formatBytes(peakResidentBytes()))",
            "kernel path      = \(kernels)",
        ]
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func printJSON(ids: [Int], tokens: [Int], summary s: CompletionSummary, text: String, loadSeconds: Double,
                           seed: UInt64) throws {
        struct Report: Encodable {
            let prompt_tokens: [Int]
            let generated_tokens: [Int]
            let text: String
            let finish_reason: String
            let seed: UInt64
            let timings: Timings
        }
        struct Timings: Encodable {
            let load_ms: Double, prompt_ms: Double, prompt_tokens_per_second: Double
            let generation_ms: Double, generation_tokens_per_second: Double
            let time_to_first_token_ms: Double, peak_rss_bytes: Int
        }
        let prompt = s.usage.promptTokens - s.usage.cachedTokens
        let report = Report(prompt_tokens: ids, generated_tokens: tokens, text: text,
                            finish_reason: s.finish.rawValue, seed: seed,
                            timings: Timings(load_ms: loadSeconds * 1000, prompt_ms: s.promptSeconds * 1000,
                                             prompt_tokens_per_second: s.promptSeconds > 0 ? Double(prompt) / s.promptSeconds : 0,
                                             generation_ms: s.generationSeconds * 1000,
                                             generation_tokens_per_second: s.generationTokensPerSecond,
                                             time_to_first_token_ms: s.usage.timings.timeToFirstToken * 1000,
                                             peak_rss_bytes: peakResidentBytes()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

/// How one command-line generation went: its finish and the engine's usage report.
struct CompletionSummary {
    var finish = FinishReason.length
    var usage = RequestUsage()

    /// Seconds spent on the prompt (time to first token less the queue time).
    var promptSeconds: Double { usage.timings.timeToFirstToken - usage.timings.queue }
    /// Seconds from the first generated token to the last.
    var generationSeconds: Double { usage.timings.total - usage.timings.timeToFirstToken }
    /// Generated tokens per second after the first.
    var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(max(usage.completionTokens - 1, 0)) / generationSeconds : 0
    }
}
