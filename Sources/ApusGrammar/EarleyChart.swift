/// The matcher's state: an Earley chart over a `GrammarAutomaton`, one item set per byte
/// consumed. An item is (automaton state, origin set); set 0 is an empty "context" set, so
/// an accepting item whose origin is 0 means the seeded rule has been matched completely.
///
/// The chart only grows and shrinks at its end, so a mask computation can advance over a
/// token's bytes and truncate back (the vocabulary trie walk shares prefixes this way).
struct EarleyChart {
    let automaton: GrammarAutomaton
    /// Items of all sets, packed `state << 32 | origin`.
    private(set) var items: [UInt64] = []
    /// Where each set starts in `items`; the last set is the current one.
    private(set) var setStarts: [Int] = []

    /// A chart whose first real set holds `seeds` (states whose origin is the context set).
    init(automaton: GrammarAutomaton, seeds: [Int32]) {
        self.automaton = automaton
        items.reserveCapacity(1024)
        setStarts = [0, 0]
        for seed in seeds { add(seed, origin: 0) }
        close()
    }

    /// Number of sets, counting the context set.
    var setCount: Int { setStarts.count }

    /// Items of the current set.
    var current: Range<Int> { setStarts[setStarts.count - 1]..<items.count }

    @inline(__always)
    static func state(_ item: UInt64) -> Int32 { Int32(truncatingIfNeeded: item >> 32) }

    @inline(__always)
    static func origin(_ item: UInt64) -> Int { Int(UInt32(truncatingIfNeeded: item)) }

    /// Drops sets from the end until `count` remain.
    mutating func truncate(toSetCount count: Int) {
        guard count < setStarts.count else { return }
        items.removeSubrange(setStarts[count]...)
        setStarts.removeSubrange(count...)
    }

    /// Consumes `byte`; returns false (and leaves the chart unchanged) if no item can.
    mutating func advance(_ byte: UInt8) -> Bool {
        let previous = current
        setStarts.append(items.count)
        for index in previous {
            let item = items[index]
            let target = automaton.target(of: Self.state(item), on: byte)
            if target >= 0 { add(target, origin: Self.origin(item)) }
        }
        if items.count == setStarts[setStarts.count - 1] {
            setStarts.removeLast()
            return false
        }
        close()
        return true
    }

    /// Whether the seeded rule may end here: an accepting item with the context as origin.
    var reachesContext: Bool {
        for index in current {
            let item = items[index]
            if Self.origin(item) == 0 && automaton.stateFinal[Int(Self.state(item))] { return true }
        }
        return false
    }

    /// Whether any item of the current set can consume a byte.
    var canConsume: Bool {
        for index in current where automaton.hasByteEdges(Self.state(items[index])) { return true }
        return false
    }

    /// Bytes some item of the current set can consume.
    var nextBytes: ByteSet {
        var set = ByteSet()
        for index in current {
            let state = Int(Self.state(items[index]))
            for edge in Int(automaton.byteEdgeStart[state])..<Int(automaton.byteEdgeStart[state + 1]) {
                for byte in automaton.byteEdgeLow[edge]...automaton.byteEdgeHigh[edge] { set.insert(byte) }
            }
        }
        return set
    }

    /// Adds an item to the current set unless present.
    @inline(__always)
    private mutating func add(_ state: Int32, origin: Int) {
        let item = UInt64(UInt32(bitPattern: state)) << 32 | UInt64(UInt32(origin))
        var index = setStarts[setStarts.count - 1]
        while index < items.count {
            if items[index] == item { return }
            index += 1
        }
        items.append(item)
    }

    /// Earley prediction and completion over the current set until nothing changes.
    private mutating func close() {
        let setIndex = setStarts.count - 1
        var index = setStarts[setIndex]
        while index < items.count {
            let item = items[index]
            let state = Int(Self.state(item)), origin = Self.origin(item)
            if automaton.stateFinal[state] {
                // Complete: every item of the origin set waiting on this rule moves past it.
                let rule = automaton.stateRule[state]
                let parentEnd = origin == setIndex ? items.count : setStarts[origin + 1]
                var parent = setStarts[origin]
                while parent < parentEnd {
                    let parentItem = items[parent]
                    let parentState = Int(Self.state(parentItem))
                    for edge in Int(automaton.ruleEdgeStart[parentState])..<Int(automaton.ruleEdgeStart[parentState + 1])
                    where automaton.ruleEdgeRule[edge] == rule {
                        add(automaton.ruleEdgeTarget[edge], origin: Self.origin(parentItem))
                    }
                    parent += 1
                }
            }
            for edge in Int(automaton.ruleEdgeStart[state])..<Int(automaton.ruleEdgeStart[state + 1]) {
                let rule = Int(automaton.ruleEdgeRule[edge])
                add(automaton.ruleStart[rule], origin: setIndex)
                // A rule that can match nothing may be skipped at once (Aycock–Horspool).
                if automaton.nullable[rule] { add(automaton.ruleEdgeTarget[edge], origin: origin) }
            }
            index += 1
        }
    }
}
