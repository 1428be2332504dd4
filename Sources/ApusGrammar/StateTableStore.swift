import Foundation

/// Token tables shared by every grammar compiled over one vocabulary trie. A state's table
/// depends only on its rule and the rules that rule reaches, so the tables of common rules
/// (JSON strings, numbers, any value) are built once for all schemas, and a new schema
/// pays only for its own states.
final class StateTableStore: @unchecked Sendable {
    private let lock = NSLock()
    private let capacity: Int
    // Guarded by `lock`.
    private var tables: [StateTableKey: StateTokenTable] = [:]
    private var order: [StateTableKey] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func table(_ key: StateTableKey) -> StateTokenTable? {
        lock.lock()
        defer { lock.unlock() }
        return tables[key]
    }

    func insert(_ table: StateTokenTable, for key: StateTableKey) {
        lock.lock()
        defer { lock.unlock() }
        guard tables[key] == nil else { return }
        tables[key] = table
        order.append(key)
        if order.count > capacity { tables[order.removeFirst()] = nil }
    }
}

/// A rule together with every rule it reaches: equal closures compile to equal automata.
struct RuleClosure: Hashable, Sendable {
    let rule: String
    let bodies: [String: GrammarExpression]
    private let hash: Int

    init(rule: String, grammar: Grammar) {
        var bodies: [String: GrammarExpression] = [:]
        var pending = [rule]
        while let name = pending.popLast() {
            guard bodies[name] == nil, let index = grammar.index(of: name) else { continue }
            bodies[name] = grammar.bodies[index]
            pending += Grammar.references(in: grammar.bodies[index])
        }
        self.rule = rule
        self.bodies = bodies
        var hasher = Hasher()
        hasher.combine(rule)
        hasher.combine(bodies)
        hash = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (lhs: RuleClosure, rhs: RuleClosure) -> Bool {
        lhs.hash == rhs.hash && lhs.rule == rhs.rule && lhs.bodies == rhs.bodies
    }
}

/// A state named independently of the grammar it is in: its rule's closure and its index
/// among that rule's states.
struct StateTableKey: Hashable, Sendable {
    let closure: RuleClosure
    let localState: Int32
}
