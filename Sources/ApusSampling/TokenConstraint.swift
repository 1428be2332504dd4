/// A set of token ids over a vocabulary, one bit each: which tokens may come next.
public struct TokenMask: Sendable, Equatable {
    /// Bits, token `t` at word `t / 64`, bit `t % 64`.
    public var words: [UInt64]
    /// Tokens the mask covers.
    public let vocabularySize: Int

    /// A mask with every token allowed (`allowed: true`) or none.
    public init(vocabularySize: Int, allowed: Bool) {
        self.vocabularySize = vocabularySize
        words = Array(repeating: allowed ? ~0 : 0, count: (vocabularySize + 63) / 64)
        if allowed, vocabularySize % 64 != 0 { words[words.count - 1] = (1 << UInt64(vocabularySize % 64)) - 1 }
    }

    /// Whether `token` is allowed.
    @inline(__always)
    public func contains(_ token: Int) -> Bool {
        token >= 0 && token < vocabularySize && words[token >> 6] & (1 << UInt64(token & 63)) != 0
    }

    /// Allows `token`.
    @inline(__always)
    public mutating func insert(_ token: Int) {
        words[token >> 6] |= 1 << UInt64(token & 63)
    }

    /// Forbids `token`.
    @inline(__always)
    public mutating func remove(_ token: Int) {
        words[token >> 6] &= ~(1 << UInt64(token & 63))
    }

    /// Forbids every token.
    public mutating func removeAll() {
        for i in words.indices { words[i] = 0 }
    }

    /// Number of allowed tokens.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}

/// A per-choice rule on which tokens may come next — a grammar, a JSON schema, a regular
/// expression. The engine asks for the allowed set before each draw, masks every other
/// token's logit to −∞, and reports the drawn token back.
///
/// One instance serves one choice of one request, on the engine's thread only.
public protocol TokenConstraint: AnyObject {
    /// Clears the bits of tokens that may not come next (end-of-generation tokens are
    /// governed by `isComplete`; the engine adds them when it is true).
    func restrict(_ mask: inout TokenMask)
    /// Advances past `token`; returns false if the token was not allowed (the engine then
    /// ends the choice with an error).
    func accept(_ token: Int) -> Bool
    /// The output so far is a complete sentence: ending here is valid.
    var isComplete: Bool { get }
    /// Nothing may follow: the engine ends the choice (finish reason `stop`).
    var isTerminated: Bool { get }
    /// Tokens every valid continuation starts with (jump-forward), or empty when there is a
    /// choice to make. The engine may append them without sampling.
    func forcedTokens() -> [Int]
}

extension TokenConstraint {
    /// No jump-forward unless a constraint offers it.
    public func forcedTokens() -> [Int] { [] }
}
