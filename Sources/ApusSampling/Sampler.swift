import ApusCore
import Foundation

/// Turns logits into tokens for one sequence. Holds its own seeded random state and
/// scratch buffers (sized once for the vocabulary), so it allocates nothing per token.
public final class Sampler {
    /// The parameters in force.
    public let parameters: SamplingParameters
    private var random: SplitMix64
    private var values: [Float]
    private var candidates: [(id: Int32, logit: Float)]
    private var counts: [Int32: Int32] = [:]
    private var topK = BinaryHeap<WorstFirst>()

    /// A sampler for a vocabulary of `vocabularySize`; throws if a parameter is out of range.
    public init(parameters: SamplingParameters, vocabularySize: Int) throws(SamplingError) {
        try parameters.validate()
        self.parameters = parameters
        random = SplitMix64(seed: parameters.seed)
        values = Array(repeating: 0, count: vocabularySize)
        candidates = []
        candidates.reserveCapacity(vocabularySize)
    }

    /// Picks the next token from `logits`, given the tokens so far (`history`, oldest first).
    ///
    /// - Parameters:
    ///   - mask: when given, only its tokens may be drawn (a grammar's allowed set).
    ///   - suppress: tokens that may not be drawn now (end-of-generation before `min_tokens`).
    ///   If nothing is left allowed, the largest raw logit is taken.
    public func sample(_ logits: UnsafeBufferPointer<Float>, history: ArraySlice<Int> = [],
                       mask: TokenMask? = nil, suppress: [Int] = []) -> Int {
        let p = parameters
        let count = min(logits.count, values.count)
        values.withUnsafeMutableBufferPointer { v in
            v.baseAddress!.update(from: logits.baseAddress!, count: count)
        }
        for (token, bias) in p.logitBias where token >= 0 && token < count { values[token] += bias }
        applyPenalties(history.suffix(p.penaltyWindow), count: count)
        if let mask { applyMask(mask, count: count) }
        for token in suppress where token >= 0 && token < count { values[token] = -.infinity }
        guard let best = argmax(count: count) else { return argmax(logits) }
        if p.temperature == 0 { return best }

        candidates.removeAll(keepingCapacity: true)
        for i in 0..<count where values[i] > -.infinity { candidates.append((Int32(i), values[i])) }
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

    /// The largest finite-or-infinite allowed value's id (lowest id on ties), or nil when
    /// every token is excluded.
    private func argmax(count: Int) -> Int? {
        values.withUnsafeBufferPointer { v in
            var best = -1
            var bestValue = -Float.infinity
            for i in 0..<count where v[i] > bestValue {
                best = i
                bestValue = v[i]
            }
            return best >= 0 ? best : nil
        }
    }

    private func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return best
    }

    /// Sets every token outside `mask` to −∞, 64 tokens per mask word.
    private func applyMask(_ mask: TokenMask, count: Int) {
        values.withUnsafeMutableBufferPointer { v in
            for (w, word) in mask.words.enumerated() where word != ~0 {
                let base = w * 64
                for bit in 0..<min(64, count - base) where word & (1 << UInt64(bit)) == 0 {
                    v[base + bit] = -.infinity
                }
            }
        }
    }

    /// llama.cpp's penalties: repetition divides positive / multiplies negative logits;
    /// frequency and presence subtract per occurrence and once.
    private func applyPenalties(_ recent: ArraySlice<Int>, count: Int) {
        let p = parameters
        guard !recent.isEmpty, p.repetitionPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0 else { return }
        counts.removeAll(keepingCapacity: true)
        for token in recent where token >= 0 && token < count { counts[Int32(token), default: 0] += 1 }
        for (token, occurrences) in counts {
            var logit = values[Int(token)]
            logit = logit > 0 ? logit / p.repetitionPenalty : logit * p.repetitionPenalty
            logit -= Float(occurrences) * p.frequencyPenalty + p.presencePenalty
            values[Int(token)] = logit
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
