import ApusEngine
import ArgumentParser
import Foundation

/// `apus perplexity`: llama-perplexity's measurement on a text file, and its KL-divergence
/// comparison against a base written by llama.cpp or by Apus.
struct Perplexity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure perplexity on a text file (llama-perplexity's method), or KL divergence from a base.",
        discussion: """
        With --kl-divergence-base FILE alone, the log-probabilities of every scored row are \
        written to FILE in llama-perplexity's format. With --kl-divergence as well, FILE is read \
        (written by `llama-perplexity --kl-divergence-base` or by Apus), its tokens are run with \
        its window length, and the KL divergence, PPL ratio and top-token agreement are printed.
        """)

    @OptionGroup var modelOption: ModelOption
    @Option(name: [.short, .customLong("file")], help: "The text file (not needed with --kl-divergence).")
    var file: String?
    @Option(name: [.short, .customLong("ctx-size")], help: "Window length in tokens (with --kl-divergence: the base's).")
    var contextSize = 512
    @Option(name: [.short, .customLong("batch-size")], help: "Tokens per forward pass.")
    var batchSize = 512
    @Option(help: "Evaluate at most this many windows.")
    var chunks: Int?
    @Option(name: .customLong("kl-divergence-base"), help: "File of base log-probabilities: written, or read with --kl-divergence.")
    var klDivergenceBase: String?
    @Flag(name: .customLong("kl-divergence"), help: "Compare with the base in --kl-divergence-base instead of writing it.")
    var klDivergence = false

    func run() throws {
        if klDivergence {
            guard let path = klDivergenceBase else { throw ValidationError("--kl-divergence needs --kl-divergence-base FILE") }
            try compare(basePath: path)
            return
        }
        guard let file else { throw ValidationError("pass the text file with -f FILE") }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read '\(file)' as UTF-8 text")
        }
        guard contextSize >= 8 else { throw ValidationError("-c must be at least 8") }
        let evaluator = try makeEvaluator(contextLength: contextSize)
        FileHandle.standardError.write(Data("perplexity: windows of \(contextSize) tokens, scoring the second half of each\n".utf8))
        let printProgress = { (running: PerplexityEvaluator.Result) in
            FileHandle.standardOutput.write(Data(String(format: "[%d]%.4f,", running.windows, running.perplexity).utf8))
        }
        let result: PerplexityEvaluator.Result
        if let path = klDivergenceBase {
            result = try evaluator.writeKLDivergenceBase(text, to: path, maxWindows: chunks, progress: printProgress)
        } else {
            result = try evaluator.evaluate(text, maxWindows: chunks, progress: printProgress)
        }
        print()
        FileHandle.standardError.write(Data(String(format: "%d windows, %d tokens scored, %.2f tokens per second\n",
                                                   result.windows, result.scoredTokens,
                                                   result.tokensPerSecond(contextLength: contextSize)).utf8))
        if let path = klDivergenceBase { FileHandle.standardError.write(Data("base log-probabilities written to \(path)\n".utf8)) }
        print(String(format: "Final estimate: PPL = %.4f +/- %.5f", result.perplexity, result.error))
    }

    private func makeEvaluator(contextLength: Int) throws -> PerplexityEvaluator {
        let batch = min(batchSize, contextLength)
        let loaded = try LoadedModel(modelOption, contextLength: contextLength, batchSize: batch, logitRows: batch)
        return PerplexityEvaluator(model: loaded.model, tokenizer: loaded.tokenizer, contextLength: contextLength)
    }

    private func compare(basePath: String) throws {
        let base = try LogitBaseFile(reading: basePath)
        let evaluator = try makeEvaluator(contextLength: base.contextLength)
        FileHandle.standardError.write(Data("kl-divergence: \(base.chunkCount) windows of \(base.contextLength) tokens from \(basePath)\n".utf8))
        let statistics = try evaluator.compare(with: base, maxWindows: chunks) { running in
            let kld = running.meanKLD
            FileHandle.standardError.write(Data(String(format: "[%d] mean KLD %.6f ± %.6f, same top %.2f%%\n",
                                                       running.count / max(1, base.rowsPerChunk), kld.mean, kld.error,
                                                       100 * running.sameTopFraction).utf8))
        }
        print(statistics.report)
    }
}
