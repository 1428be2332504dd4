import ApusEngine
import ApusGrammar
import ApusKernels
import ArgumentParser
import Foundation

/// `apus bench throughput`: offline serving throughput through the engine, like vLLM's
/// `bench throughput`.
struct BenchThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Offline throughput of many concurrent requests through the serving engine.")

    @OptionGroup var modelOption: ModelOption
    @Option(help: "Requests in all.") var numPrompts = 64
    @Option(help: "Prompt tokens per request.") var inputLen = 128
    @Option(help: "Generated tokens per request (end-of-generation ignored).") var outputLen = 128
    @Option(help: "Requests in flight at most.") var maxConcurrency = 16
    @Option(help: "Leading prompt tokens all requests share.") var sharedPrefix = 0
    @Option(help: "Seed of the random prompts.") var seed: UInt64 = 0
    @Option(help: "Tokens computed per engine step.") var maxBatchTokens = EngineConfiguration().maxBatchTokens
    @Option(help: "Prompt tokens a step computes at most when it also decodes (default: the engine's).")
    var maxPromptTokensBesideDecodes = EngineConfiguration().maxPromptTokensBesideDecodes
    @Option(help: "Prompt tokens a step computes at most per stream it decodes (default: the engine's).")
    var promptTokensPerDecode = EngineConfiguration().promptTokensPerDecode
    @Option(help: "Sequences running at once (default: --max-concurrency).") var maxSeqs: Int?
    @Option(help: "KV cache size in MiB.") var kvCacheMib: Int?
    @Option(help: "KV cache size in token positions (wins over --kv-cache-mib).") var kvCacheTokens: Int?
    @Option(help: "Also submit one request with a prompt this long, to measure its prefill's effect on the other streams.")
    var longPromptLen = 0
    @Option(help: "Seconds into the run at which the long prompt arrives.") var longPromptAt = 2.0
    @Flag(help: "Turn prefix caching off.") var noPrefixCaching = false
    @Flag(help: "Submit the first request alone and the rest once its first token exists (with --shared-prefix: a warm system prompt).")
    var firstAlone = false
    @Option(help: "Constrain every request's output to the JSON Schema in this file (outputs end where the schema or --output-len ends them).")
    var jsonSchema: String?
    @Flag(help: "Sample constrained text one token at a time instead of appending forced runs at once.")
    var noJumpForward = false
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() async throws {
        guard numPrompts > 0, inputLen > 0, outputLen > 0, maxConcurrency > 0 else {
            throw ValidationError("--num-prompts, --input-len, --output-len and --max-concurrency must be positive")
        }
        // The long prompt runs beside the workload's streams, so it needs a sequence slot of its own.
        let sequences = (maxSeqs ?? maxConcurrency) + (longPromptLen > 0 ? 1 : 0)
        let context = max(inputLen + outputLen, longPromptLen + 1) + 16
        let loaded = try LoadedModel(modelOption, contextLength: context, batchSize: maxBatchTokens, logitRows: sequences)
        let engine = try loaded.engine(maxSequences: sequences, batchSize: maxBatchTokens, contextLength: context) {
            $0.kvCacheTokens = kvCacheTokens
            $0.kvCacheMiB = kvCacheMib
            $0.prefixCaching = !noPrefixCaching
            $0.maxPromptTokensBesideDecodes = maxPromptTokensBesideDecodes
            $0.promptTokensPerDecode = promptTokensPerDecode
            $0.maxWaiting = max(numPrompts, $0.maxWaiting)
            $0.jumpForward = !noJumpForward
        }
        defer { engine.shutdown() }
        var workload = ThroughputBenchmark.Workload()
        workload.prompts = numPrompts
        workload.inputLength = inputLen
        workload.outputLength = outputLen
        workload.concurrency = maxConcurrency
        workload.sharedPrefix = sharedPrefix
        workload.seed = seed
        workload.interferingPromptLength = longPromptLen
        workload.interferenceDelay = longPromptAt
        workload.firstAlone = firstAlone
        if let jsonSchema {
            let text = try String(contentsOfFile: jsonSchema, encoding: .utf8)
            let compiled = try GrammarCompiler(tokenizer: loaded.tokenizer).compile(.jsonSchema(text))
            workload.constraint = { compiled.makeConstraint() }
        }
        let interactive = isatty(2) != 0
        let result = try await ThroughputBenchmark(engine: engine, workload: workload).run { done, total in
            let bar = String(repeating: "#", count: done * 30 / total).padding(toLength: 30, withPad: ".", startingAt: 0)
            let line = "\r[\(bar)] \(done)/\(total) requests"
            if interactive || done == total { FileHandle.standardError.write(Data((line + (done == total ? "\n" : "")).utf8)) }
        }
        report(result, model: URL(fileURLWithPath: try modelOption.resolvedPath()).lastPathComponent)
    }

    private func report(_ r: ThroughputBenchmark.Result, model: String) {
        let ttft = r.requests.map(\.ttft).sorted(), tpot = r.requests.map(\.tpot).sorted()
        let itl = r.requests.flatMap(\.gaps).sorted()
        func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }
        func percentile(_ v: [Double], _ p: Double) -> Double {
            v.isEmpty ? 0 : v[min(v.count - 1, Int((p / 100 * Double(v.count)).rounded(.up)) - 1)]
        }
        let (during, outside) = r.gapsDuringInterference
        let duringSorted = during.sorted(), outsideSorted = outside.sorted()
        let samplingShare = r.metrics.forwardSeconds > 0
            ? r.metrics.samplingSeconds / (r.metrics.forwardSeconds + r.metrics.samplingSeconds) : 0
        if json {
            let object: [String: Any] = [
                "model": model, "num_prompts": numPrompts, "input_len": inputLen, "output_len": outputLen,
                "max_concurrency": maxConcurrency, "shared_prefix": sharedPrefix, "first_alone": firstAlone, "threads": modelOption.threads,
                "max_batch_tokens": maxBatchTokens,
                "max_prompt_tokens_beside_decodes": maxPromptTokensBesideDecodes ?? maxBatchTokens,
                "prompt_tokens_per_decode": promptTokensPerDecode ?? 0, "prefix_caching": !noPrefixCaching,
                "elapsed_time": r.seconds, "requests_per_second": r.requestThroughput,
                "output_tokens_per_second": r.outputThroughput, "total_tokens_per_second": r.totalThroughput,
                "mean_ttft_ms": mean(ttft) * 1000, "median_ttft_ms": percentile(ttft, 50) * 1000,
                "p99_ttft_ms": percentile(ttft, 99) * 1000, "mean_tpot_ms": mean(tpot) * 1000,
                "mean_ttft_after_first_ms": r.meanTTFTAfterFirst * 1000,
                "decode_tokens_per_second": r.decodeThroughput(concurrency: min(maxConcurrency, numPrompts)),
                "p99_tpot_ms": percentile(tpot, 99) * 1000, "median_itl_ms": percentile(itl, 50) * 1000,
                "max_itl_ms": (itl.last ?? 0) * 1000, "cached_prompt_tokens": r.cachedTokens,
                "preemptions": r.metrics.preemptions, "sampling_share": samplingShare,
                "long_prompt_len": longPromptLen, "json_schema": jsonSchema ?? "", "jump_forward": !noJumpForward,
                "long_prompt_prefill_ms": r.interference.map { ($0.end - $0.start) * 1000 } ?? 0,
                "itl_during_long_prefill_median_ms": percentile(duringSorted, 50) * 1000,
                "itl_during_long_prefill_max_ms": (duringSorted.last ?? 0) * 1000,
                "itl_outside_median_ms": percentile(outsideSorted, 50) * 1000,
                "itl_outside_max_ms": (outsideSorted.last ?? 0) * 1000,
                "isa": InstructionSet.active.rawValue,
            ]
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data ?? Data(), as: UTF8.self))
            return
        }
        func row(_ label: String, _ value: String) -> String { label.padding(toLength: 40, withPad: " ", startingAt: 0) + value }
        let lines: [String?] = [
            "============ Throughput Benchmark Result ============",
            row("Model:", model),
            row("Kernel path:", InstructionSet.activeDescription),
            row("Requests:", "\(numPrompts) × \(inputLen) in / \(outputLen) out, \(maxConcurrency) in flight"),
            jsonSchema.map { row("Output constrained by:", "\($0)" + (noJumpForward ? " (no jump-forward)" : "")) },
            row("Elapsed time (s):", String(format: "%.2f", r.seconds)),
            row("Request throughput (req/s):", String(format: "%.2f", r.requestThroughput)),
            row("Output token throughput (tok/s):", String(format: "%.2f", r.outputThroughput)),
            row("Total token throughput (tok/s):", String(format: "%.2f", r.totalThroughput)),
            row("TTFT mean / median / p99 (ms):", String(format: "%.2f / %.2f / %.2f", mean(ttft) * 1000,
                                                         percentile(ttft, 50) * 1000, percentile(ttft, 99) * 1000)),
            sharedPrefix == 0 ? nil : row("TTFT mean of requests 2… (ms):", String(format: "%.2f", r.meanTTFTAfterFirst * 1000)),
            row("Decode throughput (tok/s):", String(format: "%.2f", r.decodeThroughput(concurrency: min(maxConcurrency, numPrompts)))),
            row("TPOT mean / p99 (ms):", String(format: "%.2f / %.2f", mean(tpot) * 1000, percentile(tpot, 99) * 1000)),
            row("ITL median / max (ms):", String(format: "%.2f / %.2f", percentile(itl, 50) * 1000, (itl.last ?? 0) * 1000)),
            longPromptLen == 0 ? nil : row("Long prompt prefill (ms):", String(format: "%.1f", r.interference.map { ($0.end - $0.start) * 1000 } ?? 0)),
            longPromptLen == 0 ? nil : row("ITL during it median / max (ms):", String(format: "%.2f / %.2f",
                percentile(duringSorted, 50) * 1000, (duringSorted.last ?? 0) * 1000)),
            longPromptLen == 0 ? nil : row("ITL otherwise median / max (ms):", String(format: "%.2f / %.2f",
                percentile(outsideSorted, 50) * 1000, (outsideSorted.last ?? 0) * 1000)),
            row("Prompt tokens from the prefix cache:", "\(r.cachedTokens) of \(r.promptTokens)"),
            row("Preemptions:", "\(r.metrics.preemptions)"),
            row("Sampling share of engine time:", String(format: "%.1f %%", samplingShare * 100)),
            "=====================================================",
        ]
        print(lines.compactMap { $0 }.joined(separator: "\n"))
    }
}
