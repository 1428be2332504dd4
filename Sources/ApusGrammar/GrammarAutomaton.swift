/// A grammar compiled to one deterministic automaton per rule, with global state ids. A
/// state's byte edges consume one byte; its rule edges are taken when a sub-rule has been
/// matched (the Earley matcher predicts and completes them).
///
/// States that cannot reach an accepting state, and rules that match nothing, are pruned,
/// so every live matcher item can still be completed to a valid output.
public final class GrammarAutomaton: Sendable {
    /// Rule names by rule id.
    let ruleNames: [String]
    /// Start state of each rule.
    let ruleStart: [Int32]
    /// Whether each rule matches the empty string.
    let nullable: [Bool]
    /// The rule a whole output matches.
    let rootRule: Int32
    /// Owning rule of each state.
    let stateRule: [Int32]
    /// Whether each state accepts (its rule may end there).
    let stateFinal: [Bool]
    /// Byte edges of state `s`: indices `byteEdgeStart[s]..<byteEdgeStart[s + 1]`.
    let byteEdgeStart: [Int32]
    let byteEdgeLow: [UInt8]
    let byteEdgeHigh: [UInt8]
    let byteEdgeTarget: [Int32]
    /// Rule edges of state `s`: indices `ruleEdgeStart[s]..<ruleEdgeStart[s + 1]`.
    let ruleEdgeStart: [Int32]
    let ruleEdgeRule: [Int32]
    let ruleEdgeTarget: [Int32]

    /// Number of states.
    public var stateCount: Int { stateRule.count }

    /// Compiles `grammar`.
    /// - Parameter stateLimit: the most automaton states allowed (guards against huge `{m,n}`).
    /// - Throws: `GrammarError` for undefined rules, a grammar that matches nothing, or one too large.
    public init(_ grammar: Grammar, stateLimit: Int = 200_000) throws(GrammarError) {
        try grammar.validate()
        var ruleIndex: [String: Int32] = [:]
        for (index, name) in grammar.names.enumerated() { ruleIndex[name] = Int32(index) }
        var nfa = NFABuilder(ruleIndex: ruleIndex, nodeLimit: stateLimit * 4)
        var nfaStart: [Int32] = [], nfaAccept: [Int32] = []
        for body in grammar.bodies {
            let start = try nfa.node(), accept = try nfa.node()
            try nfa.build(body, from: start, to: accept)
            nfaStart.append(start)
            nfaAccept.append(accept)
        }
        var build = DeterministicBuild()
        for rule in grammar.bodies.indices {
            try build.determinize(rule: Int32(rule), ruleNames: grammar.names, nfa: nfa, start: nfaStart[rule], accept: nfaAccept[rule], limit: stateLimit)
        }
        build.prune(ruleCount: grammar.names.count)
        let root = ruleIndex[grammar.root]!
        guard build.productiveRule[Int(root)] else { throw .matchesNothing("the grammar's root rule '\(grammar.root)'") }

        ruleNames = grammar.names
        ruleStart = build.ruleStart
        nullable = build.nullableRules(ruleCount: grammar.names.count)
        rootRule = root
        stateRule = build.stateRule
        stateFinal = build.stateFinal
        var byteStart: [Int32] = [0], low: [UInt8] = [], high: [UInt8] = [], byteTarget: [Int32] = []
        var ruleStartIndex: [Int32] = [0], edgeRule: [Int32] = [], ruleTarget: [Int32] = []
        for state in build.stateRule.indices {
            for edge in build.byteEdges[state] {
                low.append(edge.low)
                high.append(edge.high)
                byteTarget.append(edge.target)
            }
            byteStart.append(Int32(low.count))
            for edge in build.ruleEdges[state] {
                edgeRule.append(edge.rule)
                ruleTarget.append(edge.target)
            }
            ruleStartIndex.append(Int32(edgeRule.count))
        }
        byteEdgeStart = byteStart
        byteEdgeLow = low
        byteEdgeHigh = high
        byteEdgeTarget = byteTarget
        ruleEdgeStart = ruleStartIndex
        ruleEdgeRule = edgeRule
        ruleEdgeTarget = ruleTarget
    }

    /// Whether state `state` can consume a byte.
    @inline(__always)
    func hasByteEdges(_ state: Int32) -> Bool {
        byteEdgeStart[Int(state)] != byteEdgeStart[Int(state) + 1]
    }

    /// The state reached from `state` on `byte`, or -1.
    @inline(__always)
    func target(of state: Int32, on byte: UInt8) -> Int32 {
        var edge = Int(byteEdgeStart[Int(state)])
        let end = Int(byteEdgeStart[Int(state) + 1])
        while edge < end {
            if byte <= byteEdgeHigh[edge] { return byte >= byteEdgeLow[edge] ? byteEdgeTarget[edge] : -1 }
            edge += 1
        }
        return -1
    }
}
