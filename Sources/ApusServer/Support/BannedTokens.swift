import ApusSampling

/// `logit_bias` of -100 as a constraint: the banned tokens are masked out of every draw.
/// Banning an end-of-generation token forbids ending (the engine adds those tokens back
/// only when `isComplete`).
final class BannedTokens: TokenConstraint {
    private let banned: [Int]
    private let bannedSet: Set<Int>
    /// Whether some end-of-generation token is banned: then the output is never complete.
    private let bansEnd: Bool

    init(_ banned: Set<Int>, endTokens: Set<Int>) {
        self.banned = banned.sorted()
        bannedSet = banned
        bansEnd = !banned.isDisjoint(with: endTokens)
    }

    func restrict(_ mask: inout TokenMask) {
        for token in banned where token < mask.vocabularySize { mask.remove(token) }
    }

    func accept(_ token: Int) -> Bool { !bannedSet.contains(token) }

    var isComplete: Bool { !bansEnd }

    var isTerminated: Bool { false }
}
