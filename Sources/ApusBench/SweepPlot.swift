/// The picture of a sweep: goodput, p99 TTFT and p99 TPOT against the request rate (or the
/// concurrency), one panel each, with the SLO limits drawn where given.
public enum SweepPlot {
    /// One sweep point.
    public struct Point: Sendable {
        /// The request rate (or concurrency) of the run.
        public let load: Double
        /// The run's report.
        public let report: BenchmarkReport

        /// A point of the sweep.
        public init(load: Double, report: BenchmarkReport) {
            self.load = load
            self.report = report
        }
    }

    /// The SVG of the sweep `points`; `loadLabel` names the x axis.
    public static func make(_ points: [Point], title: String, loadLabel: String, goodput: GoodputSLO?) -> SVGDocument {
        var svg = SVGDocument(width: 1140, height: 330)
        svg.text(title, x: 570, y: 22, size: 14, anchor: "middle", weight: "bold")
        let sorted = points.sorted { $0.load < $1.load }
        let loads = sorted.map(\.load)
        let goodputLabel = goodput == nil ? "request throughput (req/s)" : "goodput (req/s)"
        panel(on: &svg, at: 70, loads: loads, values: sorted.map { $0.report.metrics.requestGoodput ?? $0.report.metrics.requestThroughput },
              title: goodput == nil ? "Request throughput" : "Goodput", xLabel: loadLabel, yLabel: goodputLabel,
              color: "#3a9a5b", limit: nil)
        panel(on: &svg, at: 450, loads: loads, values: sorted.map { $0.report.metrics.ttft.percentile(99) * 1000 },
              title: "p99 TTFT", xLabel: loadLabel, yLabel: "ms", color: "#4878a8", limit: goodput?.ttftMilliseconds)
        panel(on: &svg, at: 830, loads: loads, values: sorted.map { $0.report.metrics.tpot.percentile(99) * 1000 },
              title: "p99 TPOT", xLabel: loadLabel, yLabel: "ms", color: "#e07b39", limit: goodput?.tpotMilliseconds)
        return svg
    }

    private static func panel(on svg: inout SVGDocument, at left: Double, loads: [Double], values: [Double],
                              title: String, xLabel: String, yLabel: String, color: String, limit: Double?) {
        let top = max(values.max() ?? 1, limit ?? 0, 1e-6)
        let chart = ChartPanel(x: left, y: 60, width: 280, height: 200, xData: 0...max(loads.max() ?? 1, 1e-6), yData: 0...top)
        chart.drawFrame(on: &svg, title: title, xLabel: xLabel, yLabel: yLabel)
        if let limit {
            svg.line(chart.x, chart.py(limit), chart.x + chart.width, chart.py(limit), stroke: "#c33", dashed: true)
            svg.text("SLO \(ChartPanel.label(limit)) ms", x: chart.x + chart.width - 3, y: chart.py(limit) - 4, size: 10, anchor: "end", fill: "#c33")
        }
        let points = zip(loads, values).map { (chart.px($0), chart.py($1)) }
        svg.polyline(points, stroke: color)
        for point in points { svg.circle(x: point.0, y: point.1, radius: 3, fill: color) }
    }
}
