/// Runs a pre-tokenizer's compiled rules over one fragment of text: decodes UTF-8 to codepoints, looks up
/// their classes, applies the rules in order and hands out each word as a byte range.
///
/// Scratch state for one encoding call; reused across the fragments of that call.
struct PreTokenizerRun {
    let rules: [CompiledRule]
    private var codepoints: [UInt32] = []
    private var byteOffsets: [Int] = []
    private var flags: [UInt8] = []
    private var ends: [Int] = []
    private var nextEnds: [Int] = []

    init(rules: [CompiledRule]) {
        self.rules = rules
    }

    /// Calls `body` with the UTF-8 bytes of each word of `text`, in order.
    mutating func forEachWord(in text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        decode(text)
        guard !codepoints.isEmpty else { return }
        ends.removeAll(keepingCapacity: true)
        ends.append(codepoints.count)
        for rule in rules {
            nextEnds.removeAll(keepingCapacity: true)
            codepoints.withUnsafeBufferPointer { codepoints in
                flags.withUnsafeBufferPointer { flags in
                    var start = 0
                    for end in ends {
                        let scanner = SegmentScanner(codepoints: codepoints, flags: flags, start: start, end: end)
                        switch rule {
                        case .gpt2: scanner.splitGPT2(into: &nextEnds)
                        case .llama3: scanner.splitLlama3Family(digitRun: 3, marks: false, into: &nextEnds)
                        case .qwen2: scanner.splitLlama3Family(digitRun: 1, marks: false, into: &nextEnds)
                        case .qwen35: scanner.splitLlama3Family(digitRun: 1, marks: true, into: &nextEnds)
                        case .eachNumber: scanner.splitEachNumber(into: &nextEnds)
                        case .pattern(let pattern): pattern.split(scanner, into: &nextEnds)
                        }
                        start = end
                    }
                }
            }
            swap(&ends, &nextEnds)
        }
        var start = 0
        for end in ends {
            let byteRange = byteOffsets[start]..<byteOffsets[end]
            body(UnsafeBufferPointer(rebasing: text[byteRange]))
            start = end
        }
    }

    /// Fills `codepoints`, `flags` and `byteOffsets` (one more than codepoints) from UTF-8.
    private mutating func decode(_ text: UnsafeBufferPointer<UInt8>) {
        codepoints.removeAll(keepingCapacity: true)
        byteOffsets.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        var offset = 0
        let count = text.count
        while offset < count {
            byteOffsets.append(offset)
            let lead = text[offset]
            var value: UInt32
            var length = 1
            if lead < 0x80 {
                value = UInt32(lead)
            } else {
                // Input comes from Swift strings, so sequences are complete and valid.
                length = min(utf8SequenceLength(lead), count - offset)
                value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for index in 1..<max(length, 1) { value = (value << 6) | (UInt32(text[offset + index]) & 0x3F) }
            }
            codepoints.append(value)
            flags.append(UnicodeFlags.of(value).rawValue)
            offset += length
        }
        byteOffsets.append(count)
    }
}
