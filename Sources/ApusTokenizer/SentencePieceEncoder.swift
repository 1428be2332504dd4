import ApusCore
/// SentencePiece BPE as llama.cpp runs it (`llm_tokenizer_spm_session`): start from one
/// symbol per UTF-8 character, repeatedly merge the adjacent pair whose concatenation is
/// the highest-scoring token (leftmost on ties), then emit each symbol's token, or its
/// bytes as `<0xXX>` tokens when it is not a token.
///
/// Holds the per-call scratch buffers; create one per encoding call or thread.
struct SentencePieceEncoder {
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var heap = BinaryHeap<Candidate>()

    struct Candidate {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32
    }

    /// Appends the tokens of `text` (already with spaces written as `▁`) to `output`.
    mutating func encode(_ text: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, into output: inout [Int32]) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        heap.removeAll()
        var offset = 0
        while offset < text.count {
            let length = min(utf8SequenceLength(text[offset]), text.count - offset)
            previous.append(Int32(starts.count - 1))
            starts.append(Int32(offset))
            lengths.append(Int32(length))
            offset += length
            next.append(offset == text.count ? -1 : Int32(starts.count))
        }
        for index in 1..<max(starts.count, 1) { consider(Int32(index - 1), Int32(index), base, vocabulary) }
        while let top = heap.popFirst() {
            let left = Int(top.left), right = Int(top.right)
            if lengths[left] == 0 || lengths[right] == 0 || lengths[left] + lengths[right] != top.size { continue }
            lengths[left] += lengths[right]
            lengths[right] = 0
            next[left] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
            consider(previous[left], Int32(left), base, vocabulary)
            consider(Int32(left), next[left], base, vocabulary)
        }
        var index = 0
        while index != -1 {
            let start = Int(starts[index]), length = Int(lengths[index])
            let id = vocabulary.texts.id(of: base + start, count: length)
            if id >= 0 {
                output.append(id)
            } else {
                for byte in UnsafeBufferPointer(start: base + start, count: length) {
                    let byteID = vocabulary.byteTokens[Int(byte)]
                    if byteID >= 0 { output.append(byteID) }
                }
            }
            index = Int(next[index])
        }
    }

    private mutating func consider(_ left: Int32, _ right: Int32, _ base: UnsafePointer<UInt8>, _ vocabulary: Vocabulary) {
        guard left >= 0, right >= 0 else { return }
        let size = lengths[Int(left)] + lengths[Int(right)]
        let id = vocabulary.texts.id(of: base + Int(starts[Int(left)]), count: Int(size))
        guard id >= 0 else { return }
        heap.insert(Candidate(score: vocabulary.scores[Int(id)], left: left, right: right, size: size))
    }

}

/// The length of the UTF-8 sequence a lead byte starts (1 for stray continuation bytes),
/// llama.cpp's `unicode_len_utf8`.
@inline(__always)
func utf8SequenceLength(_ lead: UInt8) -> Int {
    if lead < 0x80 { return 1 }
    if lead < 0xC0 { return 1 }
    if lead < 0xE0 { return 2 }
    if lead < 0xF0 { return 3 }
    return 4
}

extension SentencePieceEncoder.Candidate: HeapOrdered {
    @inline(__always)
    static func comesBefore(_ a: Self, _ b: Self) -> Bool {
        a.score > b.score || (a.score == b.score && a.left < b.left)
    }
}
