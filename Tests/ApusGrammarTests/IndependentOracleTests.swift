import ApusGrammar
import Foundation
import Testing

/// Masks checked against references that share no code with the matcher: string prefixes
/// for choices, and Foundation's regular-expression engine over enumerated strings.
@Suite struct IndependentOracleTests {
    /// Every string over a, b, c of length 1 to 3, plus a few tokens no pattern here allows.
    static let pieces: [[UInt8]] = {
        var result: [[UInt8]] = []
        var layer: [[UInt8]] = [[]]
        for _ in 1...3 {
            layer = layer.flatMap { prefix in [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c")].map { prefix + [$0] } }
            result += layer
        }
        return result + [Array("d".utf8), Array("ad".utf8), Array(" ".utf8)]
    }()

    static let compiler: GrammarCompiler = GrammarCompiler(tokenizer: try! TestVocabulary.tokenizer(pieces: pieces))

    @Test(arguments: ["(ab|c)*a?", "a{2,3}(b|c)+", "[ab]*c[bc]?", "(a|bc)(ca|b){1,2}", "c|cc?a*b?"])
    func regexMasksMatchFoundation(pattern: String) throws {
        let regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
        // Viable prefixes: prefixes of matching strings up to length 9.
        var viable: Set<String> = []
        var complete: Set<String> = []
        var layer = [""]
        for _ in 0...9 {
            for text in layer where regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil {
                complete.insert(text)
                for length in 0...text.count { viable.insert(String(text.prefix(length))) }
            }
            layer = layer.flatMap { prefix in ["a", "b", "c"].map { prefix + $0 } }
        }
        let grammar = try Self.compiler.compile(.regex(pattern))
        let trie = grammar.trie
        // Every viable prefix of length <= 5 (each completes within 4 more characters here).
        for prefix in viable where prefix.count <= 5 {
            let matcher = grammar.makeConstraint()
            #expect(matcher.accept(bytes: Array(prefix.utf8)), "\(pattern): viable prefix \(prefix) refused")
            #expect(matcher.isComplete == complete.contains(prefix), "\(pattern): completeness of \(prefix)")
            let mask = matcher.allowedTokens()
            for token in 0..<trie.vocabularySize {
                let piece = String(decoding: trie.bytes(of: token), as: UTF8.self)
                guard !piece.isEmpty else { continue }
                #expect(mask.contains(token) == viable.contains(prefix + piece), "\(pattern): after \(prefix.debugDescription), token \(piece.debugDescription)")
            }
        }
    }

    @Test func choiceMasksMatchStringPrefixes() throws {
        let options = ["abc", "abcab", "ba", "cccc", "b"]
        let grammar = try Self.compiler.compile(.choice(options))
        let trie = grammar.trie
        var prefixes: Set<String> = []
        for option in options { for length in 0...option.count { prefixes.insert(String(option.prefix(length))) } }
        for prefix in prefixes {
            let matcher = grammar.makeConstraint()
            #expect(matcher.accept(bytes: Array(prefix.utf8)))
            #expect(matcher.isComplete == options.contains(prefix))
            #expect(matcher.isTerminated == (options.contains(prefix) && !options.contains { $0.count > prefix.count && $0.hasPrefix(prefix) }))
            let mask = matcher.allowedTokens()
            for token in 0..<trie.vocabularySize {
                let piece = String(decoding: trie.bytes(of: token), as: UTF8.self)
                guard !piece.isEmpty else { continue }
                let expected = options.contains { $0.hasPrefix(prefix + piece) }
                #expect(mask.contains(token) == expected, "after \(prefix.debugDescription), token \(piece.debugDescription)")
            }
        }
    }

    @Test func compiledGrammarsAreCachedBySource() throws {
        let compiler = GrammarCompiler(tokenizer: TestVocabulary.shared, cacheCapacity: 2)
        let first = try compiler.compile(.regex("a+"))
        #expect(try compiler.compile(.regex("a+")) === first)
        _ = try compiler.compile(.regex("b+"))
        _ = try compiler.compile(.regex("c+"))
        #expect(compiler.cachedCount == 2)
        #expect(try compiler.compile(.regex("a+")) !== first)
    }
}

/// One compiled grammar serves many threads: masks computed concurrently (building the
/// shared token tables as they go) equal those computed alone.
@Suite struct ConcurrencyTests {
    @Test func concurrentMatchersAgreeWithASerialOne() throws {
        let source = GrammarSource.jsonSchema(#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"number"}}},"required":["a","b"]}"#)
        let prefixes = ["", "{\"a\":", "{\"a\": \"x", "{\"a\":\"\",\"b\":[", "{\"a\":\"\",\"b\":[1.5, -2"]
        let serial = try TestVocabulary.compiler().compile(source)
        let expected = prefixes.map { prefix -> TokenMaskWords in
            let matcher = serial.makeConstraint()
            _ = matcher.accept(bytes: Array(prefix.utf8))
            return TokenMaskWords(matcher.allowedTokens().words)
        }
        let shared = try TestVocabulary.compiler().compile(source)
        let results = ResultBox(count: prefixes.count * 8)
        DispatchQueue.concurrentPerform(iterations: prefixes.count * 8) { index in
            let matcher = shared.makeConstraint()
            _ = matcher.accept(bytes: Array(prefixes[index % prefixes.count].utf8))
            results.set(index, TokenMaskWords(matcher.allowedTokens().words))
        }
        for index in 0..<(prefixes.count * 8) {
            #expect(results.get(index) == expected[index % prefixes.count], "prefix \(prefixes[index % prefixes.count])")
        }
    }
}

struct TokenMaskWords: Equatable, Sendable {
    let words: [UInt64]
    init(_ words: [UInt64]) { self.words = words }
}

/// Results written from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [TokenMaskWords?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: TokenMaskWords) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> TokenMaskWords? { lock.lock(); defer { lock.unlock() }; return values[index] }
}
