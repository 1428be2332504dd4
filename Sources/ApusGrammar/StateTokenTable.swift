/// What one automaton state decides about every token on its own (XGrammar's
/// context-independent tokens): walking the vocabulary trie from the state alone, a token
/// whose bytes stay inside the state's rule is accepted in every context; a token that
/// dies before the rule could end is rejected in every context; only tokens that run past
/// a point where the rule may end are uncertain and need the whole chart at run time.
final class StateTokenTable: Sendable {
    /// Accepted token ids, ascending, when few; otherwise empty and `acceptedWords` is set.
    let acceptedList: [Int32]
    /// Accepted tokens as mask words, when many.
    let acceptedWords: [UInt64]?
    /// Roots of trie subtrees whose tokens are uncertain, in trie order.
    let uncertainRoots: [Int32]

    /// Walks `trie` from `state`.
    init(state: Int32, automaton: GrammarAutomaton, trie: VocabularyTrie) {
        var chart = EarleyChart(automaton: automaton, seeds: [state])
        let base = chart.setCount
        var words = [UInt64](repeating: 0, count: (trie.vocabularySize + 63) / 64)
        var roots: [Int32] = []
        // mayEnd[d]: the rule could end somewhere within the first d bytes of the current path.
        var mayEnd = [Bool](repeating: false, count: 1)
        mayEnd[0] = chart.reachesContext
        var acceptedCount = 0
        var node = 0
        while node < trie.nodeCount {
            let depth = Int(trie.nodeDepth[node])
            chart.truncate(toSetCount: base + depth - 1)
            if chart.advance(trie.nodeByte[node]) {
                let before = acceptedCount
                acceptedCount += Int(trie.nodeTokenStart[node + 1] - trie.nodeTokenStart[node])
                if acceptedCount != before { trie.insertTokens(at: node, into: &words) }
                if mayEnd.count <= depth { mayEnd.append(false) }
                mayEnd[depth] = mayEnd[depth - 1] || chart.reachesContext
                node += 1
            } else {
                if mayEnd[depth - 1] { roots.append(Int32(node)) }
                node = Int(trie.subtreeEnd[node])
            }
        }
        uncertainRoots = roots
        // A list costs one store per token, the bitset one OR per word: keep the cheaper.
        if acceptedCount < words.count {
            var list: [Int32] = []
            list.reserveCapacity(acceptedCount)
            for (index, word) in words.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    list.append(Int32(index * 64 + bits.trailingZeroBitCount))
                    bits &= bits - 1
                }
            }
            acceptedList = list
            acceptedWords = nil
        } else {
            acceptedList = []
            acceptedWords = words
        }
    }

    /// Sets the accepted tokens' bits in `words`.
    func insertAccepted(into words: inout [UInt64]) {
        if let acceptedWords {
            for index in words.indices { words[index] |= acceptedWords[index] }
        } else {
            for token in acceptedList { words[Int(token) >> 6] |= 1 << UInt64(token & 63) }
        }
    }
}
