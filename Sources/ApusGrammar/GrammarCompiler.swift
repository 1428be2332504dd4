import ApusTokenizer
import Foundation

/// Compiles constraint sources for one vocabulary and keeps the most recent compiled
/// grammars, so a schema sent again (every request of an agent loop) is not compiled again
/// and reuses its token tables; token tables of rules common to several grammars (JSON
/// strings, numbers, values) are shared between them. Shared by all requests; thread-safe.
public final class GrammarCompiler: @unchecked Sendable {
    /// The vocabulary's trie (built once, the expensive part of setting up).
    public let trie: VocabularyTrie
    /// Tokenizes forced text for jump-forward.
    public let tokenizer: Tokenizer?
    /// Spaces allowed between JSON tokens.
    public let whitespace: JSONWhitespace
    /// Most compiled grammars kept.
    public let cacheCapacity: Int
    /// Token tables shared by all grammars this compiler makes.
    let sharedTables = StateTableStore(capacity: 4096)
    private let lock = NSLock()
    // Guarded by `lock`: compiled grammars, and their keys oldest use first.
    private var cache: [GrammarSource: CompiledGrammar] = [:]
    private var recency: [GrammarSource] = []

    /// A compiler for `tokenizer`'s vocabulary.
    public convenience init(tokenizer: Tokenizer, whitespace: JSONWhitespace = .singleSpace, cacheCapacity: Int = 64) {
        self.init(trie: VocabularyTrie(tokenizer: tokenizer), tokenizer: tokenizer, whitespace: whitespace, cacheCapacity: cacheCapacity)
    }

    /// A compiler over a prepared trie.
    public init(trie: VocabularyTrie, tokenizer: Tokenizer?, whitespace: JSONWhitespace = .singleSpace, cacheCapacity: Int = 64) {
        self.trie = trie
        self.tokenizer = tokenizer
        self.whitespace = whitespace
        self.cacheCapacity = max(1, cacheCapacity)
    }

    /// The compiled grammar for `source`, from the cache when it was compiled before.
    /// - Throws: `GrammarError` naming what is invalid or unsupported.
    public func compile(_ source: GrammarSource) throws(GrammarError) -> CompiledGrammar {
        lock.lock()
        if let cached = cache[source] {
            recency.removeAll { $0 == source }
            recency.append(source)
            lock.unlock()
            return cached
        }
        lock.unlock()
        let compiled = try CompiledGrammar(source.grammar(whitespace: whitespace), trie: trie, tokenizer: tokenizer, sharedTables: sharedTables)
        lock.lock()
        defer { lock.unlock() }
        if let raced = cache[source] { return raced }
        cache[source] = compiled
        recency.append(source)
        while recency.count > cacheCapacity { cache[recency.removeFirst()] = nil }
        return compiled
    }

    /// Number of grammars in the cache.
    public var cachedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return cache.count
    }
}
