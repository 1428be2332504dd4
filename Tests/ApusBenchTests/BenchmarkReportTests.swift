import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ApusBench

/// The result in vLLM's names and layout, so tools reading `vllm bench serve` output read ours.
@Suite struct BenchmarkReportTests {
    static func report(goodput: GoodputSLO? = GoodputSLO(ttftMilliseconds: 200, tpotMilliseconds: 100)) -> BenchmarkReport {
        let setup = BenchmarkReport.Setup(backend: "openai", model: "m", tokenizer: "words", requestRate: 2.5, burstiness: 1,
                                          maxConcurrency: 4, goodput: goodput, percentiles: [90, 99, 99.9])
        return BenchmarkReport(setup: setup, run: BenchmarkRunner.Run(outcomes: BenchmarkMetricsTests.outcomes, duration: 2))
    }

    @Test func jsonHasVLLMKeyNamesAndMilliseconds() throws {
        let data = try Self.report().jsonData()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let vllmKeys = ["date", "backend", "model_id", "tokenizer_id", "num_prompts", "request_rate", "burstiness",
                        "max_concurrency", "duration", "completed", "failed", "total_input_tokens", "total_output_tokens",
                        "request_throughput", "request_goodput", "output_throughput", "total_token_throughput",
                        "max_output_tokens_per_s", "max_concurrent_requests", "input_lens", "output_lens", "ttfts", "itls", "errors"]
        for key in vllmKeys { #expect(json[key] != nil, "missing \(key)") }
        for metric in ["ttft", "tpot", "itl", "e2el"] {
            for stat in ["mean", "median", "std", "p90", "p99", "p99.9"] {
                #expect(json["\(stat)_\(metric)_ms"] is Double, "missing \(stat)_\(metric)_ms")
            }
        }
        #expect(json["completed"] as? Int == 3)
        #expect(json["failed"] as? Int == 2)
        #expect(json["request_goodput"] as? Double == 0.5)
        #expect(abs((json["mean_ttft_ms"] as? Double ?? 0) - 200) < 1e-9)
        #expect(abs((json["p99_ttft_ms"] as? Double ?? 0) - 298) < 1e-9)
        #expect(json["output_lens"] as? [Int] == [4, 1, 0, 3, 0])
        #expect((json["errors"] as? [String])?[2] == "HTTP 500: boom")
        #expect(json["generated_texts"] == nil)
    }

    @Test func infiniteRateAndNoGoodputAreValidJSON() throws {
        let setup = BenchmarkReport.Setup(backend: "openai-chat", model: "m", tokenizer: "words", requestRate: .infinity,
                                          burstiness: 1, maxConcurrency: nil, goodput: nil)
        let report = BenchmarkReport(setup: setup, run: BenchmarkRunner.Run(outcomes: BenchmarkMetricsTests.outcomes, duration: 2))
        let json = try #require(try JSONSerialization.jsonObject(with: report.jsonData(includeTexts: true)) as? [String: Any])
        #expect(json["request_rate"] as? String == "inf")
        #expect(json["request_goodput"] is NSNull)
        #expect(json["max_concurrency"] is NSNull)
        #expect(json["generated_texts"] is [String])
        #expect(!report.text.contains("Request goodput"))
        #expect(!report.text.contains("Request rate configured"))
    }

    @Test func textBlockInVLLMLayout() {
        let text = Self.report().text
        #expect(text.contains("Successful requests:                     3         \n"))
        let lines = text.split(separator: "\n").map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
        #expect(lines[0] == "============ Serving Benchmark Result ============")
        #expect(lines.contains("Successful requests:                     3"))
        #expect(lines.contains("Failed requests:                         2"))
        #expect(lines.contains("Request goodput (req/s):                 0.50"))
        #expect(lines.contains("Mean TTFT (ms):                          200.00"))
        #expect(lines.contains("P99 TTFT (ms):                           298.00"))
        #expect(lines.contains("P99.9 TTFT (ms):                         299.80"))
        #expect(lines.contains("-----Time per Output Token (excl. 1st token)------"))
        #expect(lines.contains("==================================================") )
        #expect(lines.last == "First error (2 failed): HTTP 500: boom")
    }

    @Test func plotsAreWellFormedSVG() throws {
        let serve = ServePlot.make(Self.report(), title: "m · random").render()
        let sweep = SweepPlot.make([SweepPlot.Point(load: 1, report: Self.report()), SweepPlot.Point(load: 2, report: Self.report())],
                                   title: "sweep", loadLabel: "request rate (req/s)",
                                   goodput: GoodputSLO(ttftMilliseconds: 200, tpotMilliseconds: 100)).render()
        for svg in [serve, sweep] {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "not well-formed XML")
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        }
        #expect(serve.contains("TTFT distribution") && serve.contains("TPOT distribution") && serve.contains("Output tokens/s over time"))
        #expect(sweep.contains("Goodput") && sweep.contains("p99 TTFT") && sweep.contains("SLO 100 ms"))
    }
}
