import Foundation

/// A hand-written SVG document: shapes and text appended in drawing order, rendered as one
/// small standalone file (no scripts, no external fonts).
public struct SVGDocument: Sendable {
    /// Width in pixels.
    public let width: Double
    /// Height in pixels.
    public let height: Double
    private var elements: [String] = []

    /// An empty white page.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        elements.append(#"<rect x="0" y="0" width="\#(Self.number(width))" height="\#(Self.number(height))" fill="white"/>"#)
    }

    /// A straight line.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                              stroke: String = "#333", width: Double = 1, dashed: Bool = false) {
        let dash = dashed ? #" stroke-dasharray="4 3""# : ""
        elements.append(#"<line x1="\#(Self.number(x1))" y1="\#(Self.number(y1))" x2="\#(Self.number(x2))" y2="\#(Self.number(y2))" stroke="\#(stroke)" stroke-width="\#(Self.number(width))"\#(dash)/>"#)
    }

    /// A filled rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String) {
        elements.append(#"<rect x="\#(Self.number(x))" y="\#(Self.number(y))" width="\#(Self.number(max(0, width)))" height="\#(Self.number(max(0, height)))" fill="\#(fill)"/>"#)
    }

    /// A polyline through `points`, unfilled.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        elements.append(#"<polyline points="\#(list)" fill="none" stroke="\#(stroke)" stroke-width="\#(Self.number(width))"/>"#)
    }

    /// A filled circle.
    public mutating func circle(x: Double, y: Double, radius: Double, fill: String) {
        elements.append(#"<circle cx="\#(Self.number(x))" cy="\#(Self.number(y))" r="\#(Self.number(radius))" fill="\#(fill)"/>"#)
    }

    /// Text; `anchor` is `start`, `middle` or `end`.
    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 11, anchor: String = "start",
                              weight: String = "normal", rotate: Double = 0, fill: String = "#222") {
        let transform = rotate == 0 ? "" : #" transform="rotate(\#(Self.number(rotate)) \#(Self.number(x)) \#(Self.number(y)))""#
        elements.append(#"<text x="\#(Self.number(x))" y="\#(Self.number(y))" font-family="sans-serif" font-size="\#(Self.number(size))" text-anchor="\#(anchor)" font-weight="\#(weight)" fill="\#(fill)"\#(transform)>\#(Self.escape(string))</text>"#)
    }

    /// The SVG file's text.
    public func render() -> String {
        var output = #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Self.number(width))" height="\#(Self.number(height))" viewBox="0 0 \#(Self.number(width)) \#(Self.number(height))">"#
        output += "\n" + elements.joined(separator: "\n") + "\n</svg>\n"
        return output
    }

    /// Writes the file.
    public func write(to path: String) throws {
        do { try render().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw BenchError.unwritableOutput(path: path, reason: error.localizedDescription)
        }
    }

    /// One decimal at most, to keep files small.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func escape(_ string: String) -> String {
        string.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
