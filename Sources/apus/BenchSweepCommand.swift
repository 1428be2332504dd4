import ApusBench
import ArgumentParser
import Foundation

/// `apus bench sweep`: `apus bench serve` at a list of request rates (or concurrencies), one
/// saved result per load, a summary table, the highest load whose goodput stays above the
/// asked fraction, and one SVG of goodput, p99 TTFT and p99 TPOT against the load.
struct BenchSweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run the serving benchmark at several request rates or concurrencies and plot goodput and p99 latencies.",
        discussion: """
            Example: apus bench sweep --base-url http://127.0.0.1:8080 --request-rates 0.5,1,2,4 --goodput ttft:1000 tpot:100 --result-dir results --plot sweep.svg
            """
    )

    @OptionGroup var options: ServeBenchmarkOptions

    @Option(help: "Comma-separated request rates (req/s; inf allowed).")
    var requestRates: String?

    @Option(help: "Comma-separated concurrency limits (sent all at once through the limit).")
    var concurrencies: String?

    @Option(help: "Concurrency limit for a rate sweep; request rate for a concurrency sweep is inf.")
    var maxConcurrency: Int?

    @Option(help: "Save each run's JSON here as rate-R.json or concurrency-C.json.")
    var resultDir: String?

    @Option(help: "Write the sweep SVG (goodput, p99 TTFT, p99 TPOT against the load).")
    var plot: String?

    @Option(help: "The fraction of requests that must meet the SLOs for a load to count as sustained.")
    var minGoodFraction: Double = 0.9

    func run() async throws {
        let (loads, byRate) = try parseLoads()
        let session = try await options.open()
        var points: [SweepPlot.Point] = []
        do {
            for (index, load) in loads.enumerated() {
                let rate = byRate ? load : .infinity
                let limit = byRate ? maxConcurrency : Int(load)
                // Load i draws its prompts (and shared prefix) from seed + i: with one prompt set
                // for every load, the later loads would be served from the prefix cache.
                let report = try await session.reseeded(options.seed &+ UInt64(index)).run(rate: rate, maxConcurrency: limit)
                print(report.text)
                points.append(SweepPlot.Point(load: load, report: report))
                if let resultDir { try save(report, load: load, byRate: byRate, in: resultDir) }
            }
        } catch {
            await session.client.shutdown()
            throw error
        }
        await session.client.shutdown()
        print(summary(points, byRate: byRate, goodput: session.goodput))
        if let plot {
            let title = session.title(rate: .infinity, maxConcurrency: byRate ? maxConcurrency : nil)
            try SweepPlot.make(points, title: "Sweep: " + title, loadLabel: byRate ? "request rate (req/s)" : "concurrency",
                               goodput: session.goodput).write(to: plot)
        }
    }

    private func parseLoads() throws -> ([Double], Bool) {
        switch (requestRates, concurrencies) {
        case (let rates?, nil):
            return (try numbers(rates, name: "--request-rates") { $0 > 0 }, true)
        case (nil, let limits?):
            return (try numbers(limits, name: "--concurrencies") { $0 >= 1 && $0 == $0.rounded() && $0.isFinite }, false)
        default:
            throw BenchError.invalidOption(name: "--request-rates/--concurrencies", reason: "give exactly one of the two")
        }
    }

    private func numbers(_ list: String, name: String, valid: (Double) -> Bool) throws -> [Double] {
        try list.split(separator: ",").map { word in
            guard let value = Double(word.trimmingCharacters(in: .whitespaces)), valid(value) else {
                throw BenchError.invalidOption(name: name, reason: "'\(word)' is not a valid value")
            }
            return value
        }
    }

    private func save(_ report: BenchmarkReport, load: Double, byRate: Bool, in directory: String) throws {
        let name = (byRate ? "rate-" : "concurrency-") + (load.isFinite ? ChartLabel.number(load) : "inf") + ".json"
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try report.jsonData(includeTexts: options.saveDetailed).write(to: path)
        } catch {
            throw BenchError.unwritableOutput(path: path.path, reason: error.localizedDescription)
        }
    }

    /// A Markdown table of the sweep and the highest sustained load.
    private func summary(_ points: [SweepPlot.Point], byRate: Bool, goodput: GoodputSLO?) -> String {
        var lines = ["", "| \(byRate ? "rate (req/s)" : "concurrency") | completed | failed | req/s | goodput (req/s) | good % | output tok/s | median TTFT ms | p99 TTFT ms | median TPOT ms | p99 TPOT ms |",
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for point in points {
            let m = point.report.metrics
            let cells = [point.load.isFinite ? ChartLabel.number(point.load) : "inf", String(m.completed), String(m.failed),
                         f(m.requestThroughput), m.requestGoodput.map(f) ?? "–", f(m.goodFraction * 100), f(m.outputThroughput),
                         f(m.ttft.median * 1000), f(m.ttft.percentile(99) * 1000), f(m.tpot.median * 1000), f(m.tpot.percentile(99) * 1000)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if goodput != nil {
            let sustained = points.filter { $0.report.metrics.goodFraction >= minGoodFraction }.map(\.load).max()
            lines.append("")
            lines.append("Highest load with at least \(f(minGoodFraction * 100))% of requests within the SLOs: "
                         + (sustained.map { $0.isFinite ? ChartLabel.number($0) : "inf" } ?? "none of those tried"))
        }
        return lines.joined(separator: "\n")
    }

    private func f(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Numbers for file names and tables: integers without a decimal point.
enum ChartLabel {
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
