import ApusCore
/// Byte-level BPE for one pre-tokenized word: start from one symbol per byte (the byte's
/// GPT-2 character) and repeatedly merge the adjacent pair with the lowest merge rank,
/// leftmost first, as llama.cpp's `llm_tokenizer_bpe_session` does.
///
/// Holds the per-call scratch buffers; create one per encoding call or thread.
struct BytePairEncoder {
    private var symbols: [Int32] = []
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var heap = BinaryHeap<Candidate>()

    struct Candidate {
        var rank: Int32
        var left: Int32
        var right: Int32
        var leftID: Int32
        var rightID: Int32
    }

    /// Words at most this long use a linear scan per merge instead of a heap.
    private static let linearLimit = 24

    /// Appends the tokens of `word` (its raw UTF-8 bytes) to `output`.
    mutating func encode(word: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, into output: inout [Int32]) {
        let count = word.count
        guard count > 0 else { return }
        if vocabulary.ignoreMerges, let whole = wholeWordToken(word, vocabulary) {
            output.append(whole)
            return
        }
        symbols.removeAll(keepingCapacity: true)
        for byte in word {
            var id = vocabulary.byteTokens[Int(byte)]
            if id < 0 { id = vocabulary.merges.extendedIDs[ByteLevelAlphabet.utf8OfByte[Int(byte)]] ?? -1 }
            symbols.append(id)
        }
        if count <= Self.linearLimit {
            mergeLinear(vocabulary.merges)
        } else {
            mergeWithHeap(vocabulary.merges)
        }
        for id in symbols where id != Self.removed {
            emit(id, vocabulary: vocabulary, into: &output)
        }
    }

    private static let removed: Int32 = -2

    /// The token spelling the whole word in GPT-2 characters, if there is one.
    private func wholeWordToken(_ word: UnsafeBufferPointer<UInt8>, _ vocabulary: Vocabulary) -> Int32? {
        var spelled: [UInt8] = []
        spelled.reserveCapacity(word.count * 2)
        for byte in word { spelled.append(contentsOf: ByteLevelAlphabet.utf8OfByte[Int(byte)]) }
        let id = vocabulary.texts.id(of: spelled)
        return id >= 0 ? id : nil
    }

    /// Emits a final symbol; a symbol that is not a token (only possible with odd
    /// vocabularies) falls back to one-byte tokens the way llama.cpp does.
    @inline(__always)
    private func emit(_ id: Int32, vocabulary: Vocabulary, into output: inout [Int32]) {
        if id >= 0 && Int(id) < vocabulary.count {
            output.append(id)
            return
        }
        guard id >= 0 else { return }
        let text = vocabulary.merges.extendedTexts[Int(id) - vocabulary.count]
        for byte in text {
            let single = vocabulary.texts.id(of: [byte])
            if single >= 0 { output.append(single) }
        }
    }

    /// Repeatedly merges the lowest-ranked pair, scanning the live symbols each time.
    private mutating func mergeLinear(_ merges: MergeTable) {
        var live = symbols.count
        while live > 1 {
            var bestRank = Int32.max, bestLeft = -1, bestRight = -1, bestMerged: Int32 = 0
            var left = 0
            while left < symbols.count && symbols[left] == Self.removed { left += 1 }
            var right = left + 1
            while true {
                while right < symbols.count && symbols[right] == Self.removed { right += 1 }
                if right >= symbols.count { break }
                if let merge = merges.merge(symbols[left], symbols[right]), merge.rank < bestRank {
                    bestRank = merge.rank; bestLeft = left; bestRight = right; bestMerged = merge.merged
                }
                left = right
                right += 1
            }
            if bestLeft < 0 { return }
            symbols[bestLeft] = bestMerged
            symbols[bestRight] = Self.removed
            live -= 1
        }
    }

    /// The same merge order with a binary heap, for long words.
    private mutating func mergeWithHeap(_ merges: MergeTable) {
        let count = symbols.count
        next.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        for index in 0..<count {
            next.append(index + 1 < count ? Int32(index + 1) : -1)
            previous.append(Int32(index - 1))
        }
        heap.removeAll()
        for index in 1..<count { push(Int32(index - 1), Int32(index), merges) }
        while let top = heap.popFirst() {
            let left = Int(top.left), right = Int(top.right)
            // Skip pairs whose symbols changed since the pair was queued.
            guard symbols[left] == top.leftID, symbols[right] == top.rightID, next[left] == top.right,
                  let merge = merges.merge(top.leftID, top.rightID) else { continue }
            symbols[left] = merge.merged
            symbols[right] = Self.removed
            next[left] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
            if previous[left] >= 0 { push(previous[left], Int32(left), merges) }
            if next[left] >= 0 { push(Int32(left), next[left], merges) }
        }
    }

    private mutating func push(_ left: Int32, _ right: Int32, _ merges: MergeTable) {
        let leftID = symbols[Int(left)], rightID = symbols[Int(right)]
        guard let merge = merges.merge(leftID, rightID) else { return }
        heap.insert(Candidate(rank: merge.rank, left: left, right: right, leftID: leftID, rightID: rightID))
    }

}

extension BytePairEncoder.Candidate: HeapOrdered {
    @inline(__always)
    static func comesBefore(_ a: Self, _ b: Self) -> Bool {
        a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
    }
}
