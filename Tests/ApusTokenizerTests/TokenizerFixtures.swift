import ApusGGUF
import ApusTestSupport
import ApusTokenizer
import Foundation

/// Loading real vocabularies and the committed fixtures for the tokenizer tests.
enum TokenizerFixtures {
    /// Tests/ApusTokenizerTests/Fixtures.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// One corpus string's reference results from scripts/make-tokenizer-fixtures.py.
    struct Case: Decodable {
        /// llama.cpp's ids with add_special, not parsing specials.
        let ids: [Int32]
        /// llama.cpp's ids when parsing specials, when they differ from `ids`.
        let special: [Int32]?
        /// llama.cpp's detokenized `ids`, when it differs from the input.
        let decoded: String?
    }

    static func corpus() throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(contentsOf: directory.appendingPathComponent("tokenizer-corpus.json")))
    }

    static func cases(_ model: String) throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: directory.appendingPathComponent("ids-\(model).json")))
    }

    /// The tokenizer of catalog model `name`, or nil when the model is absent (skip locally).
    static func tokenizer(model name: String) throws -> Tokenizer? {
        guard let path = try TestModels.path(name) else { return nil }
        return try Tokenizer(file: GGUFFile(path: path))
    }

    /// Caches the tokenizers so each real model is loaded once per test run.
    private static let cache = TokenizerCache()

    static func cachedTokenizer(model name: String) throws -> Tokenizer? {
        try cache.tokenizer(name) { try tokenizer(model: name) }
    }
}

/// A lock-protected map from model name to tokenizer.
final class TokenizerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var tokenizers: [String: Tokenizer] = [:]

    func tokenizer(_ name: String, load: () throws -> Tokenizer?) throws -> Tokenizer? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = tokenizers[name] { return cached }
        let loaded = try load()
        tokenizers[name] = loaded
        return loaded
    }
}
