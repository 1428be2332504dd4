import ApusBench
import ApusGGUF
import ApusTokenizer
import ArgumentParser
import Foundation

/// `apus bench serve`: load-tests any OpenAI-compatible server the way `vllm bench serve`
/// does and prints vLLM's "Serving Benchmark Result" block (TTFT, TPOT, ITL, E2EL, goodput).
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Benchmark an OpenAI-compatible server: TTFT, TPOT, ITL, throughput and goodput, as vLLM measures them.",
        discussion: """
            Example: apus bench serve --base-url http://127.0.0.1:8080 --dataset random --input-len 128 --output-len 128 --num-prompts 64 --max-concurrency 16 --goodput ttft:1000 tpot:100 --plot run.svg
            """
    )

    @OptionGroup var options: ServeBenchmarkOptions

    @Option(help: "Requests per second (a number or inf: all at once).")
    var requestRate: Double = .infinity

    @Option(help: "The most requests in flight at once (default: no limit).")
    var maxConcurrency: Int?

    @Option(help: "Write the result as JSON with vLLM's key names.")
    var saveResult: String?

    @Option(help: "Write an SVG of the TTFT and TPOT distributions and output tokens/s over time.")
    var plot: String?

    func run() async throws {
        let session = try await options.open()
        defer { Task { await session.client.shutdown() } }
        let report = try await session.run(rate: requestRate, maxConcurrency: maxConcurrency)
        await session.client.shutdown()
        print(report.text)
        if let saveResult {
            do { try report.jsonData(includeTexts: options.saveDetailed).write(to: URL(fileURLWithPath: saveResult)) } catch {
                throw BenchError.unwritableOutput(path: saveResult, reason: error.localizedDescription)
            }
        }
        if let plot { try ServePlot.make(report, title: session.title(rate: requestRate, maxConcurrency: maxConcurrency)).write(to: plot) }
    }
}

/// The options `apus bench serve` and `apus bench sweep` share: server, dataset, SLOs.
struct ServeBenchmarkOptions: ParsableArguments {
    @Option(help: "The server's base URL.")
    var baseURL: String = "http://127.0.0.1:8080"

    @Option(help: "The model name to send (default: the first one the server lists at /v1/models).")
    var model: String?

    @Option(help: "The API to call: completions or chat.")
    var endpoint: String = "completions"

    @Option(help: "random, shared-prefix, or sharegpt-like (with --dataset-path FILE.jsonl).")
    var dataset: String = "random"

    @Option(help: "The JSON-lines file of the sharegpt-like dataset.")
    var datasetPath: String?

    @Option(help: "Measured requests.")
    var numPrompts: Int = 100

    @Option(help: "Prompt tokens per request (random and shared-prefix: the unique part).")
    var inputLen: Int = 128

    @Option(help: "Tokens to generate per request (sharegpt-like: overrides the reference reply lengths).")
    var outputLen: Int?

    @Option(help: "Draw lengths uniformly within ±this fraction of --input-len and --output-len.")
    var rangeRatio: Double = 0

    @Option(help: "Tokens of the prefix all prompts share (default 0 for random, 1000 for shared-prefix).")
    var prefixLen: Int?

    @Option(help: "Gamma shape of the arrival gaps: 1 is Poisson, lower is burstier.")
    var burstiness: Double = 1

    @Option(parsing: .upToNextOption, help: "SLOs for goodput: ttft:MS tpot:MS e2el:MS.")
    var goodput: [String] = []

    @Option(help: "Comma-separated percentiles to report.")
    var metricPercentiles: String = "90,99"

    @Option(help: "Seed of the prompts and arrival times (a sweep draws the prompts of its i-th load from seed + i).")
    var seed: UInt64 = 0

    @Option(help: "Warm-up requests sent first and not counted.")
    var numWarmups: Int = 1

    @Option(help: "Size prompts with this model's tokenizer (catalog name or .gguf path) instead of counting words.")
    var tokenizer: String?

    @Option(help: "Directory for models (default: $APUS_MODELS or ~/.cache/apus/models).")
    var modelsDir: String?

    @Option(help: "Seconds before a request counts as failed.")
    var timeout: Int = 600

    @Flag(help: "Include the generated texts in the saved JSON.")
    var saveDetailed = false

    @Flag(help: "Do not draw the progress bar.")
    var disableProgress = false

    /// Reads the dataset, connects and finds the model name.
    func open() async throws -> ServeBenchmarkSession {
        guard let endpointKind = Endpoint(rawValue: endpoint) else {
            throw BenchError.invalidOption(name: "--endpoint", reason: "'\(endpoint)' is not completions or chat")
        }
        guard numPrompts >= 1 else { throw BenchError.invalidOption(name: "--num-prompts", reason: "must be at least 1") }
        let percentiles = try metricPercentiles.split(separator: ",").map { word -> Double in
            guard let value = Double(word.trimmingCharacters(in: .whitespaces)), (0...100).contains(value) else {
                throw BenchError.invalidOption(name: "--metric-percentiles", reason: "'\(word)' is not a number in 0...100")
            }
            return value
        }
        let promptTokenizer: any PromptTokenizer = try tokenizer.map { try ModelPromptTokenizer(nameOrPath: $0, modelsDir: modelsDir) } ?? WordTokenizer()
        let requests = try makeRequests(tokenizer: promptTokenizer, seed: seed)
        let slo = try GoodputSLO(parsing: goodput)
        let client = OpenAIStreamingClient(baseURL: baseURL, endpoint: endpointKind, connections: numPrompts + numWarmups,
                                           timeoutSeconds: timeout)
        let modelName: String
        do {
            if let model { modelName = model } else { modelName = try await client.firstModel() }
        } catch {
            await client.shutdown()
            throw error
        }
        let count: (@Sendable (String) -> Int)?
        if tokenizer == nil { count = nil } else { count = { @Sendable in promptTokenizer.count($0) } }
        return ServeBenchmarkSession(options: self, client: client, model: modelName, requests: requests, goodput: slo,
                                     percentiles: percentiles, tokenizerName: tokenizer ?? "words", countTokens: count,
                                     promptTokenizer: promptTokenizer)
    }

    /// The warm-up and measured prompts drawn from `seed` (measured first, warm-ups last).
    func makeRequests(tokenizer: any PromptTokenizer, seed: UInt64) throws -> [BenchmarkRequest] {
        switch dataset {
        case "random", "shared-prefix":
            let prefix = prefixLen ?? (dataset == "shared-prefix" ? 1000 : 0)
            return try SyntheticDataset(inputTokens: inputLen, outputTokens: outputLen ?? 128, rangeRatio: rangeRatio, prefixTokens: prefix)
                .requests(count: numPrompts + numWarmups, seed: seed, tokenizer: tokenizer)
        case "sharegpt-like":
            guard let datasetPath else {
                throw BenchError.invalidOption(name: "--dataset-path", reason: "the sharegpt-like dataset needs a JSON-lines file")
            }
            return try ConversationDataset(path: datasetPath)
                .requests(count: numPrompts + numWarmups, seed: seed, tokenizer: tokenizer, outputTokens: outputLen)
        default:
            throw BenchError.invalidOption(name: "--dataset", reason: "'\(dataset)' is not random, shared-prefix or sharegpt-like")
        }
    }
}

/// A connected benchmark ready to run at any load: the client, the model and the prompts
/// (warm-up prompts first).
struct ServeBenchmarkSession {
    let options: ServeBenchmarkOptions
    let client: OpenAIStreamingClient
    let model: String
    var requests: [BenchmarkRequest]
    let goodput: GoodputSLO?
    let percentiles: [Double]
    let tokenizerName: String
    let countTokens: (@Sendable (String) -> Int)?
    let promptTokenizer: any PromptTokenizer

    /// The same session with prompts drawn from `seed` instead: a sweep gives every load its
    /// own prompts, so a server's prefix cache holds none of them from an earlier load.
    func reseeded(_ seed: UInt64) throws -> ServeBenchmarkSession {
        var copy = self
        copy.requests = try options.makeRequests(tokenizer: promptTokenizer, seed: seed)
        return copy
    }

    /// One measured run at `rate` requests/s and at most `maxConcurrency` in flight.
    func run(rate: Double, maxConcurrency: Int?) async throws -> BenchmarkReport {
        // Warm-up prompts are the last ones, so the measured prompts do not change with --num-warmups.
        let measured = Array(requests.prefix(options.numPrompts))
        let warmups = Array(requests.dropFirst(options.numPrompts))
        let plan = BenchmarkPlan(requests: measured, requestRate: rate, burstiness: options.burstiness,
                                 maxConcurrency: maxConcurrency, seed: options.seed, warmupRequests: warmups,
                                 showProgress: !options.disableProgress)
        let run = try await BenchmarkRunner.run(plan, client: client, model: model, countTokens: countTokens)
        let setup = BenchmarkReport.Setup(backend: client.endpoint == .chat ? "openai-chat" : "openai", model: model,
                                          tokenizer: tokenizerName, requestRate: rate, burstiness: options.burstiness,
                                          maxConcurrency: maxConcurrency, goodput: goodput, percentiles: percentiles)
        return BenchmarkReport(setup: setup, run: run)
    }

    /// A one-line description for plot titles.
    func title(rate: Double, maxConcurrency: Int?) -> String {
        // Servers that name the model by its file path (llama.cpp's) get the file name only.
        let shortModel = model.split(separator: "/").last.map(String.init) ?? model
        var parts = [shortModel, options.dataset, "\(options.inputLen) in / \(options.outputLen ?? 128) out"]
        if let prefix = options.prefixLen ?? (options.dataset == "shared-prefix" ? 1000 : nil) { parts.append("prefix \(prefix)") }
        if rate.isFinite { parts.append(String(format: "%.2f req/s", rate)) }
        if let maxConcurrency { parts.append("concurrency \(maxConcurrency)") }
        return parts.joined(separator: " · ")
    }
}

/// The model's own tokenizer, read from its GGUF file, for sizing prompts exactly.
struct ModelPromptTokenizer: PromptTokenizer {
    let tokenizer: Tokenizer

    init(nameOrPath: String, modelsDir: String?) throws {
        tokenizer = try Tokenizer(file: GGUFFile(path: resolveModel(nameOrPath, modelsDir: modelsDir)))
    }

    func count(_ text: String) -> Int { tokenizer.encode(text, addSpecial: false).count }

    func truncate(_ text: String, toTokens tokens: Int) -> String {
        tokenizer.decode(Array(tokenizer.encode(text, addSpecial: false).prefix(max(0, tokens))))
    }
}
