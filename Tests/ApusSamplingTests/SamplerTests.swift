import ApusSampling
import Foundation
import Testing

@Suite struct SamplerTests {
    static func sample(_ logits: [Float], _ parameters: SamplingParameters, history: [Int] = []) throws -> Int {
        let sampler = try Sampler(parameters: parameters, vocabularySize: logits.count)
        return logits.withUnsafeBufferPointer { sampler.sample($0, history: history[...]) }
    }

    @Test func greedyTakesTheLargestLowestIdOnTies() throws {
        #expect(try Self.sample([0.1, 3, -2, 3, 1], .greedy) == 1)
    }

    @Test func topKOfOneIsGreedy() throws {
        var p = SamplingParameters()
        p.topK = 1
        p.temperature = 5
        for seed in 0..<20 {
            p.seed = UInt64(seed)
            #expect(try Self.sample([0.5, 2, 1.9, -1], p) == 1)
        }
    }

    @Test func sameSeedSameTokensDifferentSeedsDiffer() throws {
        var p = SamplingParameters()
        p.temperature = 1.5
        p.topK = 0
        p.topP = 1
        p.minP = 0
        let logits = (0..<50).map { Float($0 % 7) * 0.3 }
        let sampler = try Sampler(parameters: p, vocabularySize: logits.count)
        let first = (0..<40).map { _ in logits.withUnsafeBufferPointer { sampler.sample($0) } }
        let again = try Sampler(parameters: p, vocabularySize: logits.count)
        let second = (0..<40).map { _ in logits.withUnsafeBufferPointer { again.sample($0) } }
        #expect(first == second)
        p.seed = 99
        let other = try Sampler(parameters: p, vocabularySize: logits.count)
        let third = (0..<40).map { _ in logits.withUnsafeBufferPointer { other.sample($0) } }
        #expect(first != third)
    }

    @Test func frequenciesFollowTheSoftmax() throws {
        var p = SamplingParameters()
        p.temperature = 1
        p.topK = 0
        p.topP = 1
        p.minP = 0
        let logits: [Float] = [0, log(2), log(3), log(4)]  // probabilities 0.1, 0.2, 0.3, 0.4
        let sampler = try Sampler(parameters: p, vocabularySize: 4)
        var counts = [0, 0, 0, 0]
        let n = 20_000
        for _ in 0..<n { counts[logits.withUnsafeBufferPointer { sampler.sample($0) }] += 1 }
        for (i, expected) in [0.1, 0.2, 0.3, 0.4].enumerated() {
            #expect(abs(Double(counts[i]) / Double(n) - expected) < 0.015, "token \(i): \(counts[i])")
        }
    }

    @Test func minPAndTopPCutTheTail() throws {
        var p = SamplingParameters()
        p.temperature = 1
        p.topK = 0
        p.topP = 1
        p.minP = 0.5  // keeps tokens with probability ≥ half the top one
        let logits: [Float] = [5, 4.9, 0, -1, -3]
        for seed in 0..<100 {
            p.seed = UInt64(seed)
            #expect(try [0, 1].contains(Self.sample(logits, p)))
        }
        p.minP = 0
        p.topP = 0.5  // the top token alone has p > 0.5
        let sharp: [Float] = [3, 1, 0.5, 0]
        for seed in 0..<100 {
            p.seed = UInt64(seed)
            #expect(try Self.sample(sharp, p) == 0)
        }
    }

    @Test func penaltiesSteerAwayFromRecentTokens() throws {
        var p = SamplingParameters.greedy
        p.repetitionPenalty = 2
        // Token 0 leads by a little; repeated, its logit halves and token 1 wins.
        #expect(try Self.sample([2, 1.5, 0], p, history: [0]) == 1)
        p.repetitionPenalty = 1
        p.frequencyPenalty = 0.3
        #expect(try Self.sample([2, 1.5, 0], p, history: [0, 0]) == 1)
        #expect(try Self.sample([2, 1.5, 0], p, history: [0]) == 0)
        p.frequencyPenalty = 0
        p.presencePenalty = 1
        #expect(try Self.sample([2, 1.5, 0], p, history: [0, 0, 0]) == 1)
        // Outside the window the penalty no longer applies.
        p.penaltyWindow = 1
        #expect(try Self.sample([2, 1.5, 0], p, history: [0, 2]) == 0)
    }

    @Test func invalidParametersAreNamed() {
        var p = SamplingParameters()
        p.topP = 0
        #expect(throws: SamplingError.self) { try p.validate() }
        p = SamplingParameters()
        p.temperature = -1
        let error = #expect(throws: SamplingError.self) { try Sampler(parameters: p, vocabularySize: 4) }
        #expect(error?.description.contains("temperature") == true)
    }
}
