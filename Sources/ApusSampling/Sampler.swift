import ApusCore
import Foundation

/// Turns logits into tokens for one sequence. Holds its own seeded random state and
/// scratch buffers (sized once for the vocabulary), so it allocates nothing per token.
public final class Sampler {
    /// The parameters in force.
    public let parameters: SamplingParameters
    private var random: SplitMix64
    private var candidates: [(id: Int32, logit: Float)]
    private var counts: [Int32: Int32] = [:]
    private var topK = BinaryHeap<WorstFirst>()

    /// A sampler for a vocabulary of `vocabularySize`; throws if a parameter is out of range.
    public init(parameters: SamplingParameters, vocabularySize: Int) throws(SamplingError) {
        try parameters.validate()
        self.parameters = parameters
        random = SplitMix64(seed: parameters.seed)
        candidates = []
        candidates.reserveCapacity(vocabularySize)
    }

    /// Picks the next token from `logits`, given the tokens so far (`history`, oldest first).
    public func sample(_ logits: UnsafeBufferPointer<Float>, history: ArraySlice<Int> = []) -> Int {
        let p = parameters
        candidates.removeAll(keepingCapacity: true)
        for (i, value) in logits.enumerated() { candidates.append((Int32(i), value)) }
        applyPenalties(history.suffix(p.penaltyWindow))
        if p.temperature == 0 { return greedy() }

        // Sort once, best first; the truncations below then only cut the tail.
        let k = p.topK > 0 ? min(p.topK, candidates.count) : candidates.count
        if k < candidates.count {
            partialSort(k)
            candidates.removeSubrange(k...)
        }
        candidates.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        var probabilities = softmax(temperature: 1)
        if p.topP < 1 {
            var cumulative: Float = 0
            var keep = candidates.count
            for (i, prob) in probabilities.enumerated() {
                cumulative += prob
                if cumulative >= p.topP { keep = i + 1; break }
            }
            candidates.removeSubrange(keep...)
            probabilities = softmax(temperature: 1)
        }
        if p.minP > 0, let top = probabilities.first {
            let keep = probabilities.prefix { $0 >= p.minP * top }.count
            candidates.removeSubrange(max(keep, 1)...)
        }
        probabilities = softmax(temperature: p.temperature)
        let draw = Float(Double(random.next() >> 11) / Double(1 << 53))
        var cumulative: Float = 0
        for (i, prob) in probabilities.enumerated() {
            cumulative += prob
            if draw < cumulative { return Int(candidates[i].id) }
        }
        return Int(candidates[candidates.count - 1].id)
    }

    private func greedy() -> Int {
        var best = 0
        for i in 1..<candidates.count where candidates[i].logit > candidates[best].logit { best = i }
        return Int(candidates[best].id)
    }

    /// llama.cpp's penalties: repetition divides positive / multiplies negative logits;
    /// frequency and presence subtract per occurrence and once.
    private func applyPenalties(_ recent: ArraySlice<Int>) {
        let p = parameters
        guard !recent.isEmpty, p.repetitionPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0 else { return }
        counts.removeAll(keepingCapacity: true)
        for token in recent where token >= 0 && token < candidates.count { counts[Int32(token), default: 0] += 1 }
        for (token, count) in counts {
            var logit = candidates[Int(token)].logit
            logit = logit > 0 ? logit / p.repetitionPenalty : logit * p.repetitionPenalty
            logit -= Float(count) * p.frequencyPenalty + p.presencePenalty
            candidates[Int(token)].logit = logit
        }
    }

    /// Keeps the k best candidates (unordered) with a size-k heap whose first element is
    /// the worst kept: O(V log k), so a 262k vocabulary costs about a millisecond rather
    /// than a full sort.
    private func partialSort(_ k: Int) {
        topK.removeAll()
        for c in candidates.prefix(k) { topK.insert(WorstFirst(id: c.id, logit: c.logit)) }
        for c in candidates.dropFirst(k) {
            let candidate = WorstFirst(id: c.id, logit: c.logit)
            if WorstFirst.comesBefore(topK.first!, candidate) { topK.replaceFirst(with: candidate) }
        }
        candidates.removeAll(keepingCapacity: true)
        for kept in topK.elements { candidates.append((kept.id, kept.logit)) }
    }

    private func softmax(temperature: Float) -> [Float] {
        guard let maximum = candidates.map(\.logit).max() else { return [] }
        var exps = candidates.map { expf(($0.logit - maximum) / temperature) }
        let sum = exps.reduce(0, +)
        for i in exps.indices { exps[i] /= sum }
        return exps
    }
}

/// A top-k candidate ordered so the heap's first element is the weakest one kept
/// (lowest logit; on equal logits the higher id, so ties keep the lower ids as greedy does).
struct WorstFirst: HeapOrdered {
    let id: Int32
    let logit: Float
    static func comesBefore(_ a: WorstFirst, _ b: WorstFirst) -> Bool {
        a.logit < b.logit || (a.logit == b.logit && a.id > b.id)
    }
}

/// A small, fast, seedable generator (Steele et al.'s SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
