/// Thompson construction of one nondeterministic automaton per grammar rule, the first
/// step of `GrammarAutomaton`. Nodes are shared across rules; each rule has its own
/// start and accept node.
struct NFABuilder {
    var epsilon: [[Int32]] = []
    var byteEdges: [[(set: ByteSet, ranges: [ClosedRange<UInt8>], target: Int32)]] = []
    var ruleEdges: [[(rule: Int32, target: Int32)]] = []
    let ruleIndex: [String: Int32]
    let nodeLimit: Int

    init(ruleIndex: [String: Int32], nodeLimit: Int) {
        self.ruleIndex = ruleIndex
        self.nodeLimit = nodeLimit
    }

    mutating func node() throws(GrammarError) -> Int32 {
        guard epsilon.count < nodeLimit else { throw .tooLarge("the grammar (over \(nodeLimit) automaton nodes)") }
        epsilon.append([])
        byteEdges.append([])
        ruleEdges.append([])
        return Int32(epsilon.count - 1)
    }

    /// Adds nodes and edges so that paths from `from` to `to` spell `expression`.
    mutating func build(_ expression: GrammarExpression, from: Int32, to: Int32) throws(GrammarError) {
        switch expression {
        case .bytes(let set):
            if !set.isEmpty { byteEdges[Int(from)].append((set, set.ranges, to)) }
        case .rule(let name):
            guard let rule = ruleIndex[name] else { throw .undefinedRule(name, referencedBy: nil) }
            ruleEdges[Int(from)].append((rule, to))
        case .sequence(let parts):
            var current = from
            for (index, part) in parts.enumerated() {
                let next = index == parts.count - 1 ? to : try node()
                try build(part, from: current, to: next)
                current = next
            }
            if parts.isEmpty { epsilon[Int(from)].append(to) }
        case .choice(let alternatives):
            for alternative in alternatives { try build(alternative, from: from, to: to) }
        case .repetition(let inner, let minimum, let maximum):
            if let maximum, maximum < minimum { return }
            var current = from
            for _ in 0..<minimum {
                let next = try node()
                try build(inner, from: current, to: next)
                current = next
            }
            if let maximum {
                // Optional copies: after each one the rule may stop.
                for _ in minimum..<maximum {
                    epsilon[Int(current)].append(to)
                    let next = try node()
                    try build(inner, from: current, to: next)
                    current = next
                }
                epsilon[Int(current)].append(to)
            } else {
                let loop = try node()
                epsilon[Int(current)].append(loop)
                try build(inner, from: loop, to: loop)
                epsilon[Int(loop)].append(to)
            }
        }
    }

    /// `nodes` plus every node reachable from them by empty moves, sorted.
    func closure(_ nodes: [Int32]) -> [Int32] {
        var seen = Set(nodes)
        var stack = nodes
        while let node = stack.popLast() {
            for next in epsilon[Int(node)] where seen.insert(next).inserted { stack.append(next) }
        }
        return seen.sorted()
    }
}
