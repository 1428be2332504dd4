import ApusEngine
import ApusKernels
import ArgumentParser
import Foundation

/// `apus bench -m MODEL`: llama-bench's pp/tg measurement.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Prompt-processing and generation speed of a model (like llama-bench).")

    @OptionGroup var modelOption: ModelOption
    @Option(name: [.short, .customLong("n-prompt")], help: "Prompt tokens for the pp test (0 = skip).")
    var prompt = 512
    @Option(name: [.customShort("n"), .customLong("n-gen")], help: "Generated tokens for the tg test (0 = skip).")
    var generate = 128
    @Option(name: [.short, .customLong("n-depth")], help: "Tokens already in the cache before the pp and tg tests (llama-bench's -d).")
    var depth = 0
    @Option(name: [.short, .customLong("repetitions")], help: "Repetitions of each test.")
    var repetitions = 3
    @Option(name: [.short, .customLong("batch-size")], help: "Tokens per forward pass in the pp test.")
    var batchSize = 512
    @Flag(help: "Also measure the memory read bandwidth and report the generation ceiling it allows (bandwidth ÷ bytes of weights and cache read per token).")
    var ceiling = false
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard repetitions >= 1, prompt >= 0, generate >= 0, depth >= 0 else {
            throw ValidationError("-r must be ≥ 1 and -p, -n, -d ≥ 0")
        }
        let context = max(depth + prompt, depth + generate + 1)
        let loaded = try LoadedModel(modelOption, contextLength: context, batchSize: max(1, min(batchSize, max(prompt, depth, 1))))
        let bench = ModelBenchmark(model: loaded.model)
        var results: [ModelBenchmark.Result] = []
        if prompt > 0 { results.append(try bench.promptProcessing(tokens: prompt, depth: depth, repetitions: repetitions)) }
        if generate > 0 { results.append(try bench.generation(tokens: generate, depth: depth, repetitions: repetitions)) }
        let name = URL(fileURLWithPath: try modelOption.resolvedPath()).lastPathComponent
        // What one decoding step reads: the weights, and the cache at the tg test's depth.
        let bytesPerToken = loaded.model.weightBytesPerToken + loaded.model.cacheBytesPerToken(depth: depth)
        // Four streams per thread: how the matrix-vector kernel reads, and the higher figure.
        let bandwidth = ceiling ? KernelBenchmark.readBandwidth(pool: loaded.model.pool, streams: 4) : nil
        if json {
            struct Row: Encodable {
                let model: String, test: String, threads: Int, tokens_per_second: Double
                let stddev: Double, median: Double, samples: [Double], load_seconds: Double
                /// Weights and, at the tg test's depth, cached keys and values read per decoding step.
                let bytes_read_per_token: Int, read_bandwidth_gb_per_second: Double?
                /// The kernel path (`APUS_ISA` or the best this CPU has).
                let isa: String
            }
            let rows = results.map {
                Row(model: name, test: $0.name, threads: modelOption.threads, tokens_per_second: $0.mean,
                    stddev: $0.standardDeviation, median: $0.median, samples: $0.samples, load_seconds: loaded.loadSeconds,
                    bytes_read_per_token: bytesPerToken, read_bandwidth_gb_per_second: bandwidth,
                    isa: InstructionSet.active.rawValue)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print("| model | threads | test | t/s | median |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for r in results {
                print(String(format: "| %@ | %d | %@ | %.2f ± %.2f | %.2f |", name as NSString, modelOption.threads,
                             r.name as NSString, r.mean, r.standardDeviation, r.median))
            }
            FileHandle.standardError.write(Data(String(format: "load time %.2f s; %@\n", loaded.loadSeconds,
                                                       InstructionSet.summary as NSString).utf8))
            if let bandwidth {
                let limit = bandwidth * 1e9 / Double(bytesPerToken)
                print(String(format: "\nweights and cache read per token %.1f MB; read bandwidth %.1f GB/s (%d threads, four streams each): generation ceiling %.1f t/s",
                             Double(bytesPerToken) / 1e6, bandwidth, modelOption.threads, limit))
                for r in results where r.name.hasPrefix("tg") {
                    print(String(format: "%@: %.0f%% of the ceiling (%.1f GB/s read)", r.name as NSString,
                                 100 * r.median / limit, r.median * Double(bytesPerToken) / 1e9))
                }
            }
        }
    }
}
