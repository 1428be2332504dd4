/// The picture of one benchmark run: TTFT and TPOT distributions (histograms with the median
/// and p99 marked) and generated tokens per second over the run, side by side.
public enum ServePlot {
    /// The SVG of `report`, titled `title`.
    public static func make(_ report: BenchmarkReport, title: String) -> SVGDocument {
        var svg = SVGDocument(width: 1140, height: 330)
        svg.text(title, x: 570, y: 22, size: 14, anchor: "middle", weight: "bold")
        let successes = report.outcomes.filter(\.success)
        histogram(on: &svg, at: 70, values: successes.map { $0.timeToFirstToken * 1000 }, stats: report.metrics.ttft,
                  title: "TTFT distribution", xLabel: "time to first token (ms)", color: "#4878a8")
        histogram(on: &svg, at: 450, values: successes.compactMap { $0.timePerOutputToken.map { $0 * 1000 } },
                  stats: report.metrics.tpot, title: "TPOT distribution", xLabel: "time per output token (ms)", color: "#e07b39")
        let series = report.metrics.outputTokensPerSecond
        let panel = ChartPanel(x: 830, y: 60, width: 280, height: 200, xData: 0...Double(max(1, series.count)),
                               yData: 0...max(1, series.max() ?? 1))
        panel.drawFrame(on: &svg, title: "Output tokens/s over time", xLabel: "seconds into the run", yLabel: "tokens/s")
        // Each bucket's value is drawn at its middle.
        svg.polyline(series.enumerated().map { (panel.px(Double($0.offset) + 0.5), panel.py($0.element)) }, stroke: "#3a9a5b")
        return svg
    }

    private static func histogram(on svg: inout SVGDocument, at left: Double, values: [Double], stats: SummaryStatistics,
                                  title: String, xLabel: String, color: String) {
        let bins = 24
        let high = max(values.max() ?? 1, 1e-6)
        let width = high / Double(bins)
        var counts = Array(repeating: 0, count: bins)
        for value in values { counts[min(bins - 1, Int(value / width))] += 1 }
        let panel = ChartPanel(x: left, y: 60, width: 300, height: 200, xData: 0...high,
                               yData: 0...Double(max(1, counts.max() ?? 1)), countAxis: true)
        panel.drawFrame(on: &svg, title: title, xLabel: xLabel, yLabel: "requests")
        for (bin, count) in counts.enumerated() where count > 0 {
            let x0 = panel.px(Double(bin) * width), x1 = panel.px(Double(bin + 1) * width)
            svg.rect(x: x0, y: panel.py(Double(count)), width: x1 - x0 - 0.5, height: panel.py(0) - panel.py(Double(count)), fill: color)
        }
        for (name, value) in [("median", stats.median * 1000), ("p99", stats.percentile(99) * 1000)] where stats.count > 0 {
            svg.line(panel.px(value), panel.y, panel.px(value), panel.y + panel.height, stroke: "#222", dashed: true)
            svg.text("\(name) \(ChartPanel.label((value * 10).rounded() / 10))", x: panel.px(value) + 3,
                     y: panel.y + (name == "p99" ? 12 : 26), size: 10)
        }
    }
}
