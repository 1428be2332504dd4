import ApusEngine
import ArgumentParser
import Foundation

/// `apus perplexity`: llama-perplexity's measurement on a text file.
struct Perplexity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure perplexity on a text file (llama-perplexity's method).")

    @OptionGroup var modelOption: ModelOption
    @Option(name: [.short, .customLong("file")], help: "The text file.")
    var file: String
    @Option(name: [.short, .customLong("ctx-size")], help: "Window length in tokens.")
    var contextSize = 512
    @Option(name: [.short, .customLong("batch-size")], help: "Tokens per forward pass.")
    var batchSize = 512
    @Option(help: "Evaluate at most this many windows.")
    var chunks: Int?

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read '\(file)' as UTF-8 text")
        }
        guard contextSize >= 8 else { throw ValidationError("-c must be at least 8") }
        let batch = min(batchSize, contextSize)
        let loaded = try LoadedModel(modelOption, contextLength: contextSize, batchSize: batch, logitRows: batch)
        let evaluator = PerplexityEvaluator(model: loaded.model, tokenizer: loaded.tokenizer, contextLength: contextSize)
        FileHandle.standardError.write(Data("perplexity: windows of \(contextSize) tokens, scoring the second half of each\n".utf8))
        let result = try evaluator.evaluate(text, maxWindows: chunks) { running in
            FileHandle.standardOutput.write(Data(String(format: "[%d]%.4f,", running.windows, running.perplexity).utf8))
        }
        print()
        FileHandle.standardError.write(Data(String(format: "%d windows, %d tokens scored, %.2f tokens per second\n",
                                                   result.windows, result.scoredTokens,
                                                   result.tokensPerSecond(contextLength: contextSize)).utf8))
        print(String(format: "Final estimate: PPL = %.4f +/- %.5f", result.perplexity, result.error))
    }
}
