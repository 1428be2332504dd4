/// Subset construction from `NFABuilder`'s automata to per-rule deterministic automata,
/// then pruning of states that can never finish. Scratch for `GrammarAutomaton.init`.
struct DeterministicBuild {
    var ruleStart: [Int32] = []
    var stateRule: [Int32] = []
    var stateFinal: [Bool] = []
    /// Sorted, disjoint byte ranges per state.
    var byteEdges: [[(low: UInt8, high: UInt8, target: Int32)]] = []
    var ruleEdges: [[(rule: Int32, target: Int32)]] = []
    var productiveRule: [Bool] = []

    mutating func determinize(rule: Int32, ruleNames: [String], nfa: NFABuilder, start: Int32, accept: Int32, limit: Int) throws(GrammarError) {
        var ids: [[Int32]: Int32] = [:]
        var pending: [([Int32], Int32)] = []
        func state(_ nodes: [Int32]) throws(GrammarError) -> Int32 {
            if let id = ids[nodes] { return id }
            guard stateRule.count < limit else { throw .tooLarge("the grammar (over \(limit) automaton states)") }
            let id = Int32(stateRule.count)
            ids[nodes] = id
            stateRule.append(rule)
            stateFinal.append(nodes.contains(accept))
            byteEdges.append([])
            ruleEdges.append([])
            pending.append((nodes, id))
            return id
        }
        ruleStart.append(try state(nfa.closure([start])))
        while let (nodes, id) = pending.popLast() {
            // Bytes that lead to the same set of nodes share one edge. The edges' range ends cut
            // the byte values into intervals whose bytes all go to the same nodes.
            var edges: [(set: ByteSet, ranges: [ClosedRange<UInt8>], target: Int32)] = []
            for node in nodes { edges += nfa.byteEdges[Int(node)] }
            if !edges.isEmpty {
                var cuts: Set<Int> = [0, 256]
                for edge in edges {
                    for range in edge.ranges {
                        cuts.insert(Int(range.lowerBound))
                        cuts.insert(Int(range.upperBound) + 1)
                    }
                }
                let bounds = cuts.sorted()
                var targetsOf: [[Int32]: Int32] = [:]
                var result: [(low: UInt8, high: UInt8, target: Int32)] = []
                for index in 0..<(bounds.count - 1) {
                    let low = bounds[index], high = bounds[index + 1] - 1
                    var targets: [Int32] = []
                    for edge in edges where edge.set.contains(UInt8(low)) { targets.append(edge.target) }
                    guard !targets.isEmpty else { continue }
                    targets = Array(Set(targets)).sorted()
                    let target: Int32
                    if let known = targetsOf[targets] {
                        target = known
                    } else {
                        target = try state(nfa.closure(targets))
                        targetsOf[targets] = target
                    }
                    if let last = result.last, last.target == target, Int(last.high) + 1 == low {
                        result[result.count - 1].high = UInt8(high)
                    } else {
                        result.append((UInt8(low), UInt8(high), target))
                    }
                }
                byteEdges[Int(id)] = result
            }
            var byRule: [Int32: [Int32]] = [:]
            for node in nodes {
                for edge in nfa.ruleEdges[Int(node)] { byRule[edge.rule, default: []].append(edge.target) }
            }
            // Ordered by rule name, so a rule's local state numbering is the same in every
            // grammar that contains it (token tables are shared on that basis).
            for (subRule, targets) in byRule.sorted(by: { ruleNames[Int($0.key)] < ruleNames[Int($1.key)] }) {
                ruleEdges[Int(id)].append((subRule, try state(nfa.closure(Array(Set(targets)).sorted()))))
            }
        }
    }

    /// Removes edges into states that cannot reach an accepting state (and through rules
    /// that match nothing), so every remaining state can finish.
    mutating func prune(ruleCount: Int) {
        var productive = stateFinal
        productiveRule = Array(repeating: false, count: ruleCount)
        var changed = true
        while changed {
            changed = false
            for state in stateRule.indices where !productive[state] {
                let viaByte = byteEdges[state].contains { productive[Int($0.target)] }
                let viaRule = ruleEdges[state].contains { productiveRule[Int($0.rule)] && productive[Int($0.target)] }
                if viaByte || viaRule {
                    productive[state] = true
                    changed = true
                }
            }
            for rule in 0..<ruleCount where !productiveRule[rule] && productive[Int(ruleStart[rule])] {
                productiveRule[rule] = true
                changed = true
            }
        }
        for state in stateRule.indices {
            byteEdges[state].removeAll { !productive[Int($0.target)] }
            ruleEdges[state].removeAll { !productiveRule[Int($0.rule)] || !productive[Int($0.target)] }
        }
    }

    /// Rules that match the empty string: an accepting state is reachable from the start
    /// through rule edges of rules that do.
    func nullableRules(ruleCount: Int) -> [Bool] {
        var nullable = Array(repeating: false, count: ruleCount)
        var changed = true
        while changed {
            changed = false
            for rule in 0..<ruleCount where !nullable[rule] {
                var seen: Set<Int32> = [ruleStart[rule]]
                var stack = [ruleStart[rule]]
                var found = false
                while let state = stack.popLast() {
                    if stateFinal[Int(state)] { found = true; break }
                    for edge in ruleEdges[Int(state)] where nullable[Int(edge.rule)] && seen.insert(edge.target).inserted {
                        stack.append(edge.target)
                    }
                }
                if found {
                    nullable[rule] = true
                    changed = true
                }
            }
        }
        return nullable
    }
}
