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
    private let lock = NSLock()
    // Guarded by `lock`; a table, once stored, is immutable.
    private var tables: [StateTokenTable?]

    /// Compiles `grammar` against `trie`.
    /// - Parameter tokenizer: the trie's tokenizer, used to tokenize forced text.
    /// - Throws: `GrammarError` when the grammar is malformed, matches nothing or is too large.
    public init(_ grammar: Grammar, trie: VocabularyTrie, tokenizer: Tokenizer?) throws(GrammarError) {
        automaton = try GrammarAutomaton(grammar)
        self.trie = trie
        self.tokenizer = tokenizer
        tables = Array(repeating: nil, count: automaton.stateCount)
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

    /// The token table of `state`, built on first use.
    func table(for state: Int32) -> StateTokenTable {
        lock.lock()
        if let table = tables[Int(state)] {
            lock.unlock()
            return table
        }
        lock.unlock()
        // Built outside the lock: two threads may both build it, which is harmless.
        let table = StateTokenTable(state: state, automaton: automaton, trie: trie)
        lock.lock()
        tables[Int(state)] = table
        lock.unlock()
        return table
    }
}
