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
        let generator = Generator(model: loaded.model, tokenizer: loaded.tokenizer, contextLength: contextSize)
        var output = ""
        let result = try generator.generate(prompt: ids, maxTokens: count, sampling: parameters) { delta in
            if json { output += delta } else { FileHandle.standardOutput.write(Data(delta.utf8)) }
        }
        if json {
            try printJSON(ids: ids, result: result, text: output, loadSeconds: loaded.loadSeconds, seed: parameters.seed)
        } else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            printStats(result.stats, finish: result.finish, loadSeconds: loaded.loadSeconds, seed: parameters.seed)
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

    private func printStats(_ s: GenerationStats, finish: FinishReason, loadSeconds: Double, seed: UInt64) {
        let lines = [
            String(format: "load time        = %8.2f ms", loadSeconds * 1000),
            String(format: "prompt eval      = %8.2f ms / %5d tokens (%8.2f tokens per second)%@",
                   s.promptSeconds * 1000, s.promptTokens, s.promptTokensPerSecond,
                   s.reusedTokens > 0 ? " (\(s.reusedTokens) reused)" as NSString : "" as NSString),
            String(format: "eval             = %8.2f ms / %5d tokens (%8.2f tokens per second)",
                   s.generationSeconds * 1000, s.generatedTokens, s.generationTokensPerSecond),
            String(format: "time to first token = %.2f ms", s.timeToFirstToken * 1000),
            "finish reason    = \(finish.rawValue), seed = \(seed)",
            "peak RSS         = \(formatBytes(peakResidentBytes()))",
        ]
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func printJSON(ids: [Int], result: (tokens: [Int], finish: FinishReason, stats: GenerationStats),
                           text: String, loadSeconds: Double, seed: UInt64) throws {
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
        let s = result.stats
        let report = Report(prompt_tokens: ids, generated_tokens: result.tokens, text: text,
                            finish_reason: result.finish.rawValue, seed: seed,
                            timings: Timings(load_ms: loadSeconds * 1000, prompt_ms: s.promptSeconds * 1000,
                                             prompt_tokens_per_second: s.promptTokensPerSecond,
                                             generation_ms: s.generationSeconds * 1000,
                                             generation_tokens_per_second: s.generationTokensPerSecond,
                                             time_to_first_token_ms: s.timeToFirstToken * 1000,
                                             peak_rss_bytes: peakResidentBytes()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
