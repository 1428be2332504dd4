import ApusGrammar
import ApusSampling

/// Drives a matcher with random allowed tokens until the output is complete, checking the
/// mask against a brute-force reference at every step.
struct RandomWalk {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Tokens where the mask and the reference disagree, as (step, token, in mask).
    var mismatches: [(step: Int, token: Int, inMask: Bool)] = []
    /// The bytes produced.
    var output: [UInt8] = []
    /// Whether the walk ended on a complete output.
    var completed = false

    /// Walks `grammar` with seed `seed`: random tokens for `freeSteps`, then tokens that
    /// close structures first half of the time, until complete (stopping at a complete output with
    /// probability 1/3 while free, always once finishing).
    init(_ grammar: CompiledGrammar, seed: UInt64, freeSteps: Int = 60, stepLimit: Int = 4000, checkMask: Bool = true) {
        var random = Generator(state: seed)
        let matcher = grammar.makeConstraint()
        let trie = grammar.trie
        let closers: [[UInt8]] = ["\"", "}", "]", ":", "0", "1", "null", "true"].map { Array($0.utf8) }
        for step in 0..<stepLimit {
            if matcher.isComplete && (step >= freeSteps || matcher.isTerminated || random.next() % 3 == 0) {
                completed = true
                return
            }
            let mask = matcher.allowedTokens()
            if checkMask {
                for token in 0..<trie.vocabularySize {
                    let bytes = trie.bytes(of: token)
                    let expected = !bytes.isEmpty && matcher.allows(bytes: bytes)
                    if expected != mask.contains(token) { mismatches.append((step, token, mask.contains(token))) }
                }
            }
            var allowed: [Int] = []
            for token in 0..<mask.vocabularySize where mask.contains(token) { allowed.append(token) }
            guard !allowed.isEmpty else { return }
            var choice = allowed[Int(random.next() % UInt64(allowed.count))]
            if step >= freeSteps && random.next() % 2 == 0 {
                for closer in closers {
                    if let token = allowed.first(where: { trie.bytes(of: $0) == closer }) { choice = token; break }
                }
            }
            guard matcher.accept(choice) else { return }
            output += trie.bytes(of: choice)
        }
    }
}
