import Foundation

/// One chart inside an `SVGDocument`: a frame, data ranges, axes with round tick values and
/// labels, and the mapping from data to pixels.
public struct ChartPanel: Sendable {
    /// The plotting area in pixels (axes drawn on its left and bottom edges).
    public let x: Double, y: Double, width: Double, height: Double
    /// Data ranges, widened to round tick values.
    public let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    let xTicks: [Double], yTicks: [Double]

    /// A panel over the given data ranges (each widened to round ticks from zero or the minimum).
    /// - Parameter countAxis: the y axis counts things, so its ticks are whole numbers.
    public init(x: Double, y: Double, width: Double, height: Double, xData: ClosedRange<Double>, yData: ClosedRange<Double>,
                countAxis: Bool = false) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        xTicks = Self.ticks(xData)
        yTicks = Self.ticks(yData, minimumStep: countAxis ? 1 : 0)
        xRange = xTicks.first!...xTicks.last!
        yRange = yTicks.first!...yTicks.last!
    }

    /// The pixel column of data value `value`.
    public func px(_ value: Double) -> Double {
        x + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * width
    }

    /// The pixel row of data value `value`.
    public func py(_ value: Double) -> Double {
        y + height - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * height
    }

    /// Draws the title, axes, grid lines, tick labels and axis labels.
    public func drawFrame(on svg: inout SVGDocument, title: String, xLabel: String, yLabel: String) {
        svg.text(title, x: x + width / 2, y: y - 10, size: 13, anchor: "middle", weight: "bold")
        for tick in yTicks {
            svg.line(x, py(tick), x + width, py(tick), stroke: "#e4e4e4")
            svg.text(Self.label(tick), x: x - 5, y: py(tick) + 4, size: 10, anchor: "end")
        }
        for tick in xTicks {
            svg.line(px(tick), y + height, px(tick), y + height + 4)
            svg.text(Self.label(tick), x: px(tick), y: y + height + 16, size: 10, anchor: "middle")
        }
        svg.line(x, y + height, x + width, y + height)
        svg.line(x, y, x, y + height)
        svg.text(xLabel, x: x + width / 2, y: y + height + 32, size: 11, anchor: "middle")
        svg.text(yLabel, x: x - 42, y: y + height / 2, size: 11, anchor: "middle", rotate: -90)
    }

    /// Round tick values covering `range`, starting at zero for non-negative data.
    static func ticks(_ range: ClosedRange<Double>, count: Int = 5, minimumStep: Double = 0) -> [Double] {
        let low = range.lowerBound >= 0 ? 0 : range.lowerBound
        let high = max(range.upperBound, low + 1e-9)
        let rough = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(rough)))
        let step = max(minimumStep, [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough)
        let first = floor(low / step) * step
        var ticks: [Double] = []
        var tick = first
        while tick < high + step * 0.999 {
            ticks.append(tick)
            if tick >= high { break }
            tick += step
        }
        return ticks.count >= 2 ? ticks : [first, first + step]
    }

    static func label(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e7 { return String(Int(value)) }
        return String(format: abs(value) < 1 ? "%.2f" : "%.1f", value)
    }
}
