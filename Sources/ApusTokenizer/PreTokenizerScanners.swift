/// Hand-written equivalents of llama.cpp's pre-tokenizer scanners (unicode.cpp), which
/// themselves stand in for the regexes named in `PreTokenizer.Rule`. Each splits one
/// segment `[start, end)` of the text and appends the end of every piece to `ends`.
/// Positions are codepoint indices; outside the segment a codepoint reads as "absent"
/// (flags 0), exactly as llama.cpp's `OUT_OF_RANGE`.
struct SegmentScanner {
    let codepoints: UnsafeBufferPointer<UInt32>
    let flags: UnsafeBufferPointer<UInt8>
    let start: Int
    let end: Int

    static let absent: UInt32 = 0xFFFF_FFFF

    @inline(__always) func codepoint(_ position: Int) -> UInt32 { position < end ? codepoints[position] : Self.absent }
    @inline(__always) func flag(_ position: Int) -> UInt8 { position < end ? flags[position] : 0 }

    static let number = UnicodeFlags.number.rawValue
    static let letter = UnicodeFlags.letter.rawValue
    static let mark = UnicodeFlags.mark.rawValue
    static let whitespace = UnicodeFlags.whitespace.rawValue

    /// Length of a contraction (`'s 't 'm 'd 're 've 'll`) starting at `position`, or 0.
    @inline(__always)
    func contraction(at position: Int, ignoringCase: Bool) -> Int {
        guard codepoint(position) == 0x27, position + 1 < end else { return 0 }
        func lower(_ c: UInt32) -> UInt32 { ignoringCase && c >= 0x41 && c <= 0x5A ? c + 32 : c }
        let next = lower(codepoint(position + 1))
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return 2 }  // s t m d
        guard position + 2 < end else { return 0 }
        let after = lower(codepoint(position + 2))
        if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) { return 3 }
        return 0
    }

    /// Whitespace handling shared by all scanners: `\s+(?!\S)` then `\s+`; with
    /// `newlines`, `\s*[\r\n]+` first. Returns the end of the piece.
    @inline(__always)
    func whitespaceEnd(at position: Int, newlines: Bool) -> Int {
        var count = 0
        var lastNewlineEnd = 0
        while flag(position + count) & Self.whitespace != 0 {
            if newlines {
                let c = codepoint(position + count)
                if c == 0x0D || c == 0x0A { lastNewlineEnd = position + count + 1 }
            }
            count += 1
        }
        if lastNewlineEnd > 0 { return lastNewlineEnd }
        if count > 1 && codepoint(position + count) != Self.absent { return position + count - 1 }
        if count > 0 { return position + count }
        return position + 1
    }

    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    func splitGPT2(into ends: inout [Int]) {
        var position = start
        while position < end {
            let c = codepoint(position)
            let contractionLength = contraction(at: position, ignoringCase: false)
            if contractionLength > 0 {
                position += contractionLength
                ends.append(position)
                continue
            }
            var next = c == 0x20 ? flag(position + 1) : flag(position)
            if next & Self.letter != 0 || next & Self.number != 0 {
                let wanted = next & Self.letter != 0 ? Self.letter : Self.number
                if c == 0x20 { position += 1 }
                while next & wanted != 0 { position += 1; next = flag(position) }
                ends.append(position)
                continue
            }
            if next & (Self.whitespace | Self.letter | Self.number) == 0 && next != 0 {
                if c == 0x20 { position += 1 }
                while next & (Self.whitespace | Self.letter | Self.number) == 0 && next != 0 { position += 1; next = flag(position) }
                ends.append(position)
                continue
            }
            position = whitespaceEnd(at: position, newlines: false)
            ends.append(position)
        }
    }

    /// Llama 3 (`digitRun` 3), Qwen2 (`digitRun` 1) and Qwen3.5 (`marks` true):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    func splitLlama3Family(digitRun: Int, marks: Bool, into ends: inout [Int]) {
        let word = marks ? Self.letter | Self.mark : Self.letter
        var position = start
        while position < end {
            let c = codepoint(position)
            let f = flag(position)
            let contractionLength = contraction(at: position, ignoringCase: true)
            if contractionLength > 0 {
                position += contractionLength
                ends.append(position)
                continue
            }
            if !(c == 0x0D || c == 0x0A || f & Self.number != 0) && (f & word != 0 || flag(position + 1) & word != 0) {
                position += 1
                while flag(position) & word != 0 { position += 1 }
                ends.append(position)
                continue
            }
            if f & Self.number != 0 {
                var runStart = position
                while flag(position) & Self.number != 0 {
                    position += 1
                    if position - runStart >= digitRun {
                        ends.append(position)
                        runStart = position
                    }
                }
                if position > runStart { ends.append(position) }
                continue
            }
            var next = c == 0x20 ? flag(position + 1) : f
            let stop = Self.whitespace | word | Self.number
            if next & stop == 0 && f != 0 {
                if c == 0x20 { position += 1 }
                while next & stop == 0 && next != 0 { position += 1; next = flag(position) }
                var after = codepoint(position)
                while after == 0x0D || after == 0x0A { position += 1; after = codepoint(position) }
                ends.append(position)
                continue
            }
            position = whitespaceEnd(at: position, newlines: true)
            ends.append(position)
        }
    }

    /// `\p{N}`: each number character is a piece; the runs between are pieces too.
    func splitEachNumber(into ends: inout [Int]) {
        var position = start
        while position < end {
            if flags[position] & Self.number != 0 {
                position += 1
            } else {
                while position < end && flags[position] & Self.number == 0 { position += 1 }
            }
            ends.append(position)
        }
    }
}
