import Foundation

/// Splits one streamed choice into text deltas and complete tool calls: text is passed on
/// as it comes, except from the first character that may begin a `<tool_call>` tag, which
/// is held until the tag is complete (then the call is emitted whole) or proven not to be
/// a tag (then it is released as text).
struct ToolCallStream {
    /// What to send for a piece of output.
    enum Piece: Equatable {
        case text(String)
        case call(ParsedToolCall)
    }

    let format: ToolCallFormat
    private var pending = ""
    /// Calls emitted so far (their `index` in `delta.tool_calls`).
    private(set) var callCount = 0

    init(format: ToolCallFormat) { self.format = format }

    /// The pieces that `text` completes.
    mutating func feed(_ text: String) -> [Piece] {
        pending += text
        var pieces: [Piece] = []
        while true {
            if let start = pending.range(of: format.open) {
                if start.lowerBound > pending.startIndex { pieces.append(.text(String(pending[..<start.lowerBound]))) }
                pending = String(pending[start.lowerBound...])
                guard let end = pending.range(of: format.close) else { return pieces }
                let inner = String(pending[pending.index(pending.startIndex, offsetBy: format.open.count)..<end.lowerBound])
                if let call = ToolCallFormat.call(inner) {
                    pieces.append(.call(call))
                    callCount += 1
                } else {
                    pieces.append(.text(String(pending[..<end.upperBound])))
                }
                pending = String(pending[end.upperBound...])
                continue
            }
            // Hold back the longest suffix that could still become the opening tag.
            let keep = (1..<format.open.count).reversed().first { pending.hasSuffix(String(format.open.prefix($0))) } ?? 0
            let cut = pending.index(pending.endIndex, offsetBy: -keep)
            if cut > pending.startIndex { pieces.append(.text(String(pending[..<cut]))) }
            pending = String(pending[cut...])
            return pieces
        }
    }

    /// What is left when the choice ends (an unfinished tag is text).
    mutating func finish() -> String {
        defer { pending = "" }
        return pending
    }
}
