import ApusEngine
import ApusGGUF
import ApusKernels
import ApusModels
import ApusTokenizer
import Foundation

/// A model opened for running: weights, tokenizer and thread pool, with the load time.
struct LoadedModel {
    let file: GGUFFile
    let model: TransformerModel
    let tokenizer: Tokenizer
    let loadSeconds: Double

    init(_ option: ModelOption, contextLength: Int, batchSize: Int, logitRows: Int? = nil) throws {
        let start = Date()
        // APUS_ISA forces a kernel path; a path this CPU lacks is refused here, before any kernel runs.
        try InstructionSet.selectFromEnvironment()
        file = try GGUFFile(path: option.resolvedPath())
        let pool = try ThreadPool(threadCount: max(1, option.threads))
        model = try TransformerModel(file: file, pool: pool, maxBatchTokens: batchSize,
                                     maxLogitRows: logitRows ?? 1, contextLength: contextLength)
        tokenizer = try Tokenizer(file: file)
        loadSeconds = Date().timeIntervalSince(start)
    }

    /// The kernel path in use and the CPU's features, for logs and statistics.
    var kernelSummary: String { InstructionSet.activeDescription }

    /// A serving engine on this model for up to `maxSequences` sequences at once, with a KV
    /// cache of one context per sequence (at least) unless the configuration says otherwise.
    func engine(maxSequences: Int, batchSize: Int, contextLength: Int,
                configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> Engine {
        var configuration = EngineConfiguration()
        configuration.maxSequences = maxSequences
        configuration.maxBatchTokens = batchSize
        configuration.kvCacheTokens = maxSequences == 1 ? contextLength + configuration.blockSize : nil
        configure(&configuration)
        return try Engine(model: model, tokenizer: tokenizer, configuration: configuration)
    }

    /// The chat template: `name` (`chatml` or a file path) if given, else the model's own.
    func chatTemplate(named name: String?) throws -> ChatTemplate {
        if let name {
            if name == "chatml" { return try ChatTemplate(ChatPrompt.chatML) }
            guard let source = try? String(contentsOfFile: name, encoding: .utf8) else {
                throw CLIError("cannot read chat template file '\(name)' (use `chatml` or a path to a Jinja file)")
            }
            return try ChatTemplate(source)
        }
        guard let source = file.metadata.string("tokenizer.chat_template") else {
            throw CLIError("this model has no chat template (it is a base model); pass --chat-template chatml|FILE, or leave out --chat")
        }
        return try ChatTemplate(source)
    }
}

/// A plain error message for the command line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Peak resident memory of this process, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024
}
