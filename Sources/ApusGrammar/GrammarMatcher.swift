import ApusSampling

/// The `TokenConstraint` of a compiled grammar: follows one output byte by byte and gives
/// the engine the tokens allowed next, and the tokens forced next (jump-forward).
///
/// One matcher serves one choice on one thread.
public final class GrammarMatcher: TokenConstraint {
    /// The grammar being matched.
    public let grammar: CompiledGrammar
    private var chart: EarleyChart
    private var allowed: [UInt64]
    /// Most bytes one jump-forward may cover.
    public static let forcedByteLimit = 256

    init(grammar: CompiledGrammar) {
        self.grammar = grammar
        chart = EarleyChart(automaton: grammar.automaton, seeds: [grammar.automaton.ruleStart[Int(grammar.automaton.rootRule)]])
        allowed = Array(repeating: 0, count: (grammar.trie.vocabularySize + 63) / 64)
    }

    /// The output so far is a complete match of the grammar.
    public var isComplete: Bool { chart.reachesContext }

    /// The output is complete and no byte may follow.
    public var isTerminated: Bool { chart.reachesContext && !chart.canConsume }

    /// Clears the bits of every token that cannot continue the output.
    public func restrict(_ mask: inout TokenMask) {
        computeAllowed()
        let shared = min(mask.words.count, allowed.count)
        for index in 0..<shared { mask.words[index] &= allowed[index] }
        for index in shared..<mask.words.count { mask.words[index] = 0 }
    }

    /// Advances past `token`; false (state unchanged) if the grammar does not allow it.
    public func accept(_ token: Int) -> Bool {
        let bytes = grammar.trie.bytes(of: token)
        guard !bytes.isEmpty else { return false }
        return accept(bytes: bytes)
    }

    /// Advances past `bytes`; false (state unchanged) if the grammar does not allow them.
    public func accept(bytes: [UInt8]) -> Bool {
        let count = chart.setCount
        for byte in bytes where !chart.advance(byte) {
            chart.truncate(toSetCount: count)
            return false
        }
        return true
    }

    /// Whether `bytes` could come next without ending the match early (no state change).
    public func allows(bytes: [UInt8]) -> Bool {
        let count = chart.setCount
        defer { chart.truncate(toSetCount: count) }
        for byte in bytes where !chart.advance(byte) { return false }
        return true
    }

    /// The bytes every valid continuation starts with, up to `limit`.
    public func forcedBytes(limit: Int = forcedByteLimit) -> [UInt8] {
        let count = chart.setCount
        defer { chart.truncate(toSetCount: count) }
        var bytes: [UInt8] = []
        while bytes.count < limit && !chart.reachesContext {
            let next = chart.nextBytes
            guard next.count == 1, let byte = next.ranges.first?.lowerBound, chart.advance(byte) else { break }
            bytes.append(byte)
        }
        return bytes
    }

    /// Tokens for the forced text, tokenized as the model's tokenizer would; the last token
    /// is held back unless the match ends there, since it might merge with free text after it.
    public func forcedTokens() -> [Int] {
        guard let tokenizer = grammar.tokenizer else { return [] }
        var bytes = forcedBytes()
        // Only whole characters: cut an incomplete UTF-8 sequence at the end.
        while let last = bytes.last, last & 0x80 != 0 {
            var start = bytes.count - 1
            while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
            let lead = bytes[start]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if bytes.count - start == length { break }
            bytes.removeSubrange(start...)
        }
        guard !bytes.isEmpty else { return [] }
        let ids = tokenizer.encode(String(decoding: bytes, as: UTF8.self), addSpecial: false, parseSpecial: false)
        var tokens: [Int] = []
        var covered = 0
        for id in ids {
            let piece = grammar.trie.bytes(of: Int(id))
            guard !piece.isEmpty, covered + piece.count <= bytes.count,
                  bytes[covered..<(covered + piece.count)].elementsEqual(piece) else { break }
            tokens.append(Int(id))
            covered += piece.count
        }
        let reachesEnd = covered == bytes.count && allowsOnly(bytes)
        if !reachesEnd && !tokens.isEmpty { tokens.removeLast() }
        return tokens
    }

    /// Whether after `bytes` the match is terminated (nothing else may follow).
    private func allowsOnly(_ bytes: [UInt8]) -> Bool {
        let count = chart.setCount
        defer { chart.truncate(toSetCount: count) }
        for byte in bytes where !chart.advance(byte) { return false }
        return chart.reachesContext && !chart.canConsume
    }

    /// The allowed tokens, as mask words (for tests and benchmarks).
    public func allowedTokens() -> TokenMask {
        var mask = TokenMask(vocabularySize: grammar.trie.vocabularySize, allowed: true)
        restrict(&mask)
        return mask
    }

    /// Fills `allowed`: the union of each scannable state's context-independent tokens,
    /// plus the uncertain tokens that pass a walk of the whole chart.
    private func computeAllowed() {
        for index in allowed.indices { allowed[index] = 0 }
        var states: [Int32] = []
        for index in chart.current {
            let state = EarleyChart.state(chart.items[index])
            if grammar.automaton.hasByteEdges(state) && !states.contains(state) { states.append(state) }
        }
        var roots: [Int32] = []
        for state in states {
            let table = grammar.table(for: state)
            table.insertAccepted(into: &allowed)
            roots += table.uncertainRoots
        }
        if !roots.isEmpty { checkUncertain(roots.sorted()) }
    }

    /// Walks the trie subtrees under `roots` (sorted) with the whole chart.
    private func checkUncertain(_ roots: [Int32]) {
        let trie = grammar.trie
        let base = chart.setCount
        var path: [Int32] = []      // trie nodes consumed on the chart above `base`
        var coveredEnd: Int32 = 0
        for root in roots where root >= coveredEnd {
            coveredEnd = trie.subtreeEnd[Int(root)]
            let parent = trie.nodeParent[Int(root)]
            let ancestors = parent >= 0 ? trie.path(to: Int(parent)) : []
            var common = 0
            while common < min(path.count, ancestors.count) && path[common] == ancestors[common] { common += 1 }
            chart.truncate(toSetCount: base + common)
            path.removeSubrange(common...)
            var alive = true
            for node in ancestors[common...] {
                guard chart.advance(trie.nodeByte[Int(node)]) else { alive = false; break }
                path.append(node)
            }
            guard alive else { continue }
            let rootDepth = Int(trie.nodeDepth[Int(root)])
            var node = Int(root)
            while node < Int(coveredEnd) {
                chart.truncate(toSetCount: base + Int(trie.nodeDepth[node]) - 1)
                if chart.advance(trie.nodeByte[node]) {
                    trie.insertTokens(at: node, into: &allowed)
                    node += 1
                } else {
                    node = Int(trie.subtreeEnd[node])
                }
            }
            chart.truncate(toSetCount: base + rootDepth - 1)
        }
        chart.truncate(toSetCount: base)
    }
}
