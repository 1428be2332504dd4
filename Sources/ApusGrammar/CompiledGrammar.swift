import ApusSampling
import ApusTokenizer
import Foundation

/// A grammar compiled for one vocabulary: its automaton, the vocabulary trie, and the
/// per-state token tables, built the first time a state is met and kept for every later
/// request. Immutable apart from that cache; shared across requests and threads.
public final class CompiledGrammar: @unchecked Sendable {
    /// The grammar's automaton.
    public let automaton: GrammarAutomaton
    /// The vocabulary's tokens.
    public let trie: VocabularyTrie
    /// Encodes forced text for jump-forward; nil disables jump-forward.
    let tokenizer: Tokenizer?
    /// The grammar compiled.
    public let grammar: Grammar
    /// Tables shared with other grammars over the same trie, if any.
    private let sharedTables: StateTableStore?
    private let lock = NSLock()
    // Guarded by `lock`; a table, once stored, is immutable.
    private var tables: [StateTokenTable?]
    private var closures: [RuleClosure?]

    /// Compiles `grammar` against `trie`.
    /// - Parameter tokenizer: the trie's tokenizer, used to tokenize forced text.
    /// - Throws: `GrammarError` when the grammar is malformed, matches nothing or is too large.
    public convenience init(_ grammar: Grammar, trie: VocabularyTrie, tokenizer: Tokenizer?) throws(GrammarError) {
        try self.init(grammar, trie: trie, tokenizer: tokenizer, sharedTables: nil)
    }

    init(_ grammar: Grammar, trie: VocabularyTrie, tokenizer: Tokenizer?, sharedTables: StateTableStore?) throws(GrammarError) {
        automaton = try GrammarAutomaton(grammar)
        self.grammar = grammar
        self.trie = trie
        self.tokenizer = tokenizer
        self.sharedTables = sharedTables
        tables = Array(repeating: nil, count: automaton.stateCount)
        closures = Array(repeating: nil, count: grammar.names.count)
    }

    /// A fresh matcher for one choice of one request.
    public func makeConstraint() -> GrammarMatcher {
        GrammarMatcher(grammar: self)
    }

    /// Number of states whose token tables have been built so far.
    public var preparedStateCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return tables.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
    }

    /// Builds the token table of every state that can consume a byte (the work otherwise
    /// done on first use), for benchmarks and latency-sensitive callers.
    public func prepareAllStates() {
        for state in 0..<automaton.stateCount where automaton.hasByteEdges(Int32(state)) {
            _ = table(for: Int32(state))
        }
    }

    /// The token table of `state`: this grammar's, else the shared one, else built now.
    func table(for state: Int32) -> StateTokenTable {
        lock.lock()
        if let table = tables[Int(state)] {
            lock.unlock()
            return table
        }
        let key = sharedTables.map { _ in sharedKey(for: state) }
        lock.unlock()
        // Built outside the lock: two threads may both build it, which is harmless.
        let table = key.flatMap { sharedTables?.table($0) }
            ?? StateTokenTable(state: state, automaton: automaton, trie: trie)
        if let key { sharedTables?.insert(table, for: key) }
        lock.lock()
        tables[Int(state)] = table
        lock.unlock()
        return table
    }

    /// The grammar-independent name of `state` (call with `lock` held).
    private func sharedKey(for state: Int32) -> StateTableKey {
        let rule = Int(automaton.stateRule[Int(state)])
        let closure = closures[rule] ?? RuleClosure(rule: grammar.names[rule], grammar: grammar)
        closures[rule] = closure
        return StateTableKey(closure: closure, localState: state - automaton.ruleStart[rule])
    }
}
