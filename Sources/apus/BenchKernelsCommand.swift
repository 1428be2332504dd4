import ApusCore
import ApusKernels
import ArgumentParser
import Foundation

/// `apus bench kernels`: weight GB/s and GFLOP/s of matrix-vector and matrix-matrix products
/// for each weight type and the matrix shapes of the catalog models, beside the machine's
/// measured read bandwidth.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Benchmark the quantized matrix kernels on random weights larger than cache."
    )

    /// Shapes (rows × columns) of the weight matrices in SmolLM2-135M, Qwen2.5-Coder-0.5B/1.5B.
    static let modelShapes = "576x1536,1536x576,896x4864,4864x896,1536x8960,8960x1536,49152x576,151936x896"

    @Option(help: "Comma-separated weight types (default: every type with kernels).")
    var types: String?

    @Option(help: "Comma-separated ROWSxCOLUMNS weight shapes.")
    var shapes: String = modelShapes

    @Option(help: "Comma-separated thread counts.")
    var threads: String = "1,2"

    @Option(help: "Comma-separated activation rows per product (1 = matrix-vector).")
    var tokens: String = "1,64"

    @Option(help: "Timed products per configuration (the median is reported).")
    var repeats: Int = 7

    @Option(name: .customLong("bandwidth-gib"), help: "GiB read by the memory bandwidth measurement.")
    var bandwidthGiB: Int = 1

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Report: Codable {
        let cpu: String
        /// Read bandwidth by thread count: one sequential stream per thread.
        let readBandwidthGBPerSecond: [String: Double]
        /// Read bandwidth by thread count with four streams per thread (the ceiling the
        /// "% of read BW" column compares with).
        let fourStreamReadBandwidthGBPerSecond: [String: Double]
        let forkJoinMicroseconds: [String: Double]
        let results: [KernelBenchmarkResult]
    }

    func run() throws {
        let weightTypes = try parseTypes()
        let shapeList = try parseShapes()
        let threadCounts = try parseIntegers(threads, name: "--threads")
        let tokenCounts = try parseIntegers(tokens, name: "--tokens")
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard bandwidthGiB >= 1 else { throw ValidationError("--bandwidth-gib must be at least 1") }

        var pools: [Int: ThreadPool] = [:]
        for count in threadCounts { pools[count] = try ThreadPool(threadCount: count) }
        try InstructionSet.selectFromEnvironment()
        let cpu = Self.cpuName()
        var bandwidth: [Int: Double] = [:]
        var fourStreamBandwidth: [Int: Double] = [:]
        var forkJoin: [String: Double] = [:]
        for count in threadCounts {
            bandwidth[count] = KernelBenchmark.readBandwidth(bytes: bandwidthGiB << 30, pool: pools[count]!)
            fourStreamBandwidth[count] = KernelBenchmark.readBandwidth(bytes: bandwidthGiB << 30, pool: pools[count]!, streams: 4)
            forkJoin[String(count)] = KernelBenchmark.forkJoinMicroseconds(pool: pools[count]!)
        }
        if !json {
            print("CPU: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) logical cores; \(InstructionSet.summary)")
            for count in threadCounts {
                print(String(format: "Memory read bandwidth (%d threads, %d GiB): %.1f GB/s one stream per thread, %.1f GB/s four streams",
                             count, bandwidthGiB, bandwidth[count]!, fourStreamBandwidth[count]!))
            }
            for count in threadCounts {
                print(String(format: "Thread pool fork/join (%d threads): %.2f µs", count, forkJoin[String(count)]!))
            }
            print("")
            // "% of read BW" compares with the four-stream read bandwidth measured on the same number of threads.
            print("| type | rows×cols | MB | threads | tokens | median ms | weight GB/s | % of read BW | GFLOP/s |")
            print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        }
        var results: [KernelBenchmarkResult] = []
        for type in weightTypes {
            for (rows, columns) in shapeList {
                guard type.traits.rowBytes(columns) != nil else {
                    if !json { print("| \(type) | \(rows)×\(columns) | – | – | – | skipped: \(columns) is not a multiple of \(type.traits.blockSize) | | | |") }
                    continue
                }
                let weights = try BenchmarkWeights(type: type, rows: rows, columns: columns)
                for count in threadCounts {
                    for tokenCount in tokenCounts {
                        let result = try KernelBenchmark.measure(weights, tokens: tokenCount, pool: pools[count]!, repeats: repeats)
                        results.append(result)
                        if !json {
                            print(String(format: "| %@ | %d×%d | %.1f | %d | %d | %.3f | %.1f | %.0f%% | %.1f |",
                                         type.description, rows, columns, Double(weights.matrixBytes) / 1e6, count, tokenCount,
                                         result.medianSeconds * 1e3, result.weightGBPerSecond,
                                         100 * result.weightGBPerSecond / fourStreamBandwidth[count]!, result.gflopsPerSecond))
                            fflush(nil)  // flush all streams: progress shows while the run goes on
                        }
                    }
                }
            }
        }
        if json {
            let report = Report(cpu: cpu,
                                readBandwidthGBPerSecond: Dictionary(uniqueKeysWithValues: bandwidth.map { (String($0.key), $0.value) }),
                                fourStreamReadBandwidthGBPerSecond: Dictionary(uniqueKeysWithValues: fourStreamBandwidth.map {
                                    (String($0.key), $0.value)
                                }),
                                forkJoinMicroseconds: forkJoin, results: results)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }

    private func parseTypes() throws -> [GGMLType] {
        let supported = GGMLType.allCases.filter { KernelDispatch.supports($0) && $0 != .q8_K }
        guard let types else { return supported }
        return try types.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let type = GGMLType.allCases.first(where: { $0.description.caseInsensitiveCompare(trimmed) == .orderedSame }),
                  KernelDispatch.supports(type) else {
                throw ValidationError("unknown or unsupported type '\(trimmed)'; choose from \(supported.map(\.description).joined(separator: ", "))")
            }
            return type
        }
    }

    private func parseShapes() throws -> [(Int, Int)] {
        try shapes.split(separator: ",").map { item in
            let parts = item.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" })
            guard parts.count == 2, let rows = Int(parts[0]), let columns = Int(parts[1]), rows > 0, columns > 0 else {
                throw ValidationError("shape '\(item)' is not ROWSxCOLUMNS with positive numbers, e.g. 576x1536")
            }
            return (rows, columns)
        }
    }

    private func parseIntegers(_ text: String, name: String) throws -> [Int] {
        let values = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 >= 1 }), values.count == text.split(separator: ",").count else {
            throw ValidationError("\(name) takes comma-separated positive integers, got '\(text)'")
        }
        return values
    }

    /// The CPU model from /proc/cpuinfo, or "unknown CPU".
    static func cpuName() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let name = line.split(separator: ":", maxSplits: 1).last else { return "unknown CPU" }
        return name.trimmingCharacters(in: .whitespaces)
    }
}
